/**
 * The address rules on a real network, not a resolver hook: the test makes its own network
 * namespace joined to this one by a veth pair, with a public address (11.213.7.2, in a /30 only
 * this veth pair routes for the test's length) and a private one (10.213.7.2) on its side,
 * and runs file servers there. The built CLI, on this side, is sent through redirects that
 * move inward (public -> private, private -> loopback) and must refuse them before a request
 * reaches the inner server; redirects that do not move inward, or that --allow-address
 * widens, are followed. Every packet stays on the veth pair the test owns.
 * Needs root with CAP_NET_ADMIN (`ip netns add`); without it the suite says so and is skipped,
 * unless SQSOPS_REQUIRE_NETNS=1 makes that a failure. http only: the address guard sits under
 * TLS (at connect, after DNS) and the https path through it is tested in wire.test.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, ROOT, type CliHome } from '../helpers/cli.js';
import { ip, ipSteps, noNamespace, runInNamespace } from '../helpers/netns.js';
import { startTestServer, type TestServer } from './server.js';

const PUBLIC = '11.213.7.2';
const PRIVATE = '10.213.7.2';
const tag = String(process.pid % 100000);
const NS = `sqsops-t${tag}`;
const HOST_IF = `sqh${tag}`;
const NS_IF = `sqn${tag}`;

/** Makes the namespace and its link; returns why it could not, or undefined. */
function makeNetwork(): string | undefined {
  const steps: string[][] = [
    ['netns', 'add', NS],
    ['link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF],
    ['link', 'set', NS_IF, 'netns', NS],
    ['addr', 'add', '11.213.7.1/30', 'dev', HOST_IF],
    ['addr', 'add', '10.213.7.1/24', 'dev', HOST_IF],
    ['link', 'set', HOST_IF, 'up'],
    ['netns', 'exec', NS, 'ip', 'addr', 'add', `${PUBLIC}/30`, 'dev', NS_IF],
    ['netns', 'exec', NS, 'ip', 'addr', 'add', `${PRIVATE}/24`, 'dev', NS_IF],
    ['netns', 'exec', NS, 'ip', 'link', 'set', NS_IF, 'up'],
    ['netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up'],
  ];
  return ipSteps(steps);
}

const why = makeNetwork();
if (why) {
  ip('netns', 'del', NS);
  noNamespace('netns.test.ts', why);
}

interface Remote {
  origins: Record<string, string>;
  paths: string[];
  child: ChildProcess;
}

/** File servers on both addresses inside the namespace; every request path comes back on stdout. */
async function startRemote(): Promise<Remote> {
  const code = `import { startTestServer } from ${JSON.stringify(join(ROOT, 'test/download/server.ts'))};
    const servers = { public: await startTestServer({ host: '${PUBLIC}' }), private: await startTestServer({ host: '${PRIVATE}' }) };
    console.log(JSON.stringify(Object.fromEntries(Object.entries(servers).map(([k, s]) => [k, s.origin]))));
    const seen = { public: 0, private: 0 };
    setInterval(() => {
      for (const [k, s] of Object.entries(servers)) while (seen[k] < s.log.length) console.log(JSON.stringify({ at: k, path: s.log[seen[k]++].path }));
    }, 10);`;
  const remote: Omit<Remote, 'child'> = { origins: {}, paths: [] };
  const child = await runInNamespace(NS, code, (msg) => {
    if (!msg.public) {
      remote.paths.push(`${msg.at} ${msg.path}`);
      return false;
    }
    remote.origins = msg;
    return true;
  });
  return { ...remote, child };
}

describe.skipIf(why !== undefined)('address rules across a real network (namespace + veth)', () => {
  let cli: CliHome;
  let remote: Remote;
  let local: TestServer;
  beforeAll(async () => {
    cli = newHome();
    remote = await startRemote();
    local = await startTestServer();
  });
  afterAll(async () => {
    remote?.child.kill();
    await local?.close();
    await cli?.cleanup();
    ip('netns', 'del', NS);
  });

  const download = async (urls: string[], extra: string[] = []) => {
    const list = `list-${Math.random().toString(36).slice(2)}.json`;
    writeFileSync(join(cli.home, list), JSON.stringify(urls));
    const r = await cli.run(['--json', 'download-urls', list, '--out', 'out', '--retries', '1', ...extra]);
    const report = JSON.parse(r.stdout) as { items: { status: string; code?: string; error?: string; attempts: number }[] };
    return { code: r.code, stderr: r.stderr, items: report.items };
  };
  /** Requests for /file/NAME the namespace servers saw, after giving their log a moment to come through. */
  const seen = async (name: string) => {
    await new Promise((r) => setTimeout(r, 100));
    return remote.paths.filter((p) => p.split(' ')[1]!.startsWith(`/file/${name}`));
  };

  it('downloads from a public and a private address, and follows a redirect that does not move inward', async () => {
    const r = await download([
      `${remote.origins.public}/file/pub.bin?size=1000`,
      `${remote.origins.private}/redirect/side?to=${encodeURIComponent(`${remote.origins.private}/file/side.bin?size=2000`)}`,
    ]);
    expect(r.items.map((i) => i.status)).toEqual(['downloaded', 'downloaded']);
    expect(r.code).toBe(0);
    expect(await seen('side.bin')).toEqual(['private /file/side.bin?size=2000']);
  });

  it('refuses public -> private before the private server sees a request, and follows it with --allow-address', async () => {
    const url = `${remote.origins.public}/redirect/in?to=${encodeURIComponent(`${remote.origins.private}/file/inner.bin?size=100`)}`;
    const refused = await download([url]);
    expect(refused.code).toBe(1);
    expect(refused.items[0]).toMatchObject({ status: 'failed', code: 'blocked_address', attempts: 1 });
    expect(refused.items[0]!.error).toBe(
      `redirect from a public address to private ${PRIVATE} refused (redirects may not move inward); ` +
        `allow it with --allow-address ${PRIVATE}/32`,
    );
    expect(await seen('inner.bin')).toEqual([]);
    const allowed = await download([url], ['--allow-address', `${PRIVATE}/32`]);
    expect(allowed.items[0]).toMatchObject({ status: 'downloaded' });
    expect(await seen('inner.bin')).toEqual(['private /file/inner.bin?size=100']);
  });

  it('refuses private -> loopback: a message URL cannot reach this machine through a server on the network', async () => {
    const before = local.log.length;
    const url = `${remote.origins.private}/redirect/home?to=${encodeURIComponent(`${local.origin}/file/home.bin?size=100`)}`;
    const refused = await download([url]);
    expect(refused.items[0]).toMatchObject({ status: 'failed', code: 'blocked_address', attempts: 1 });
    expect(refused.items[0]!.error).toMatch(
      /^redirect from a private address to loopback 127\.0\.0\.1 refused \(redirects may not move inward\)/,
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(local.log.length).toBe(before);
  });
});
