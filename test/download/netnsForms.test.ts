/**
 * Every way to write an IPv4 address as IPv6, on a real stack: a network namespace with only `lo`
 * (nothing can leave it), a fake metadata server on 169.254.169.254:80, file servers on 127.0.0.1,
 * a public-classified address (11.213.7.2) and a private one (10.213.7.2), all on `lo`, and an
 * /etc/hosts of its own (`ip netns exec` mounts /etc/netns/NAME/hosts) whose names resolve to such
 * forms. The built CLI runs inside. Linux routes ::ffff:a.b.c.d to the IPv4 server, so without the
 * guard those requests would arrive (the allowed controls show they do); the other forms have no
 * route here, so only the guard can make them fail as blocked_address rather than a network error.
 * Needs root with CAP_NET_ADMIN; skipped with a printed reason otherwise, unless SQSOPS_REQUIRE_NETNS=1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, newHome, ROOT, type CliHome } from '../helpers/cli.js';
import { ip, ipSteps, noNamespace, runInNamespace } from '../helpers/netns.js';

const META = '169.254.169.254';
const PUBLIC = '11.213.7.2';
const PRIVATE = '10.213.7.2';
const NS = `sqsops-f${process.pid % 100000}`;
const HOSTS_DIR = `/etc/netns/${NS}`;

const hex = (v4: string) => {
  const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d];
};
const h16 = (n: number) => n.toString(16);

/** The IPv6 forms that carry `v4`, by name: each must be judged as `v4` itself. */
function forms(v4: string): [string, string][] {
  const [hi = 0, lo = 0] = hex(v4);
  const [pubHi = 0, pubLo = 0] = hex(PUBLIC);
  const x = `${h16(hi)}:${h16(lo)}`;
  return [
    ['mapped', `[::ffff:${v4}]`],
    ['mapped, hex', `[::ffff:${x}]`],
    ['mapped, uncompressed', `[0:0:0:0:0:ffff:${v4}]`],
    ['compatible', `[::${v4}]`],
    ['translated', `[::ffff:0:${v4}]`],
    ['NAT64', `[64:ff9b::${x}]`],
    ['NAT64 local-use', `[64:ff9b:1::${x}]`],
    ['6to4', `[2002:${x}::]`],
    ['Teredo client', `[2001:0:${h16(pubHi)}:${h16(pubLo)}::${h16(hi ^ 0xffff)}:${h16(lo ^ 0xffff)}]`],
    ['Teredo server', `[2001:0:${x}::]`],
  ];
}

function makeNamespace(): string | undefined {
  const steps = [
    ['netns', 'add', NS],
    ['netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up'],
    ...[META, PUBLIC, PRIVATE].map((a) => ['netns', 'exec', NS, 'ip', 'addr', 'add', `${a}/32`, 'dev', 'lo']),
  ];
  const failed = ipSteps(steps);
  if (failed) return failed;
  mkdirSync(HOSTS_DIR, { recursive: true });
  const names = [`::ffff:${META} mapped.meta.test`, `64:ff9b::a9fe:a9fe nat64.meta.test`, `::ffff:127.0.0.1 mapped.home.test`];
  writeFileSync(join(HOSTS_DIR, 'hosts'), `127.0.0.1 localhost\n${names.join('\n')}\n`);
  return undefined;
}

function removeNamespace() {
  ip('netns', 'del', NS);
  rmSync(HOSTS_DIR, { recursive: true, force: true });
  try {
    rmdirSync('/etc/netns');
  } catch {
    // Another namespace still has files there.
  }
}

const why = makeNamespace();
if (why) {
  removeNamespace();
  noNamespace('netnsForms.test.ts', why);
}

interface Servers {
  origins: Record<'loopback' | 'public' | 'private', string>;
  /** `SERVER PATH` for every request any server in the namespace saw. */
  seen: string[];
  child: ChildProcess;
}

/** The metadata server (which answers a secret, as the real one would) and file servers, in the namespace. */
async function startServers(): Promise<Servers> {
  const code = `import http from 'node:http';
    import { startTestServer } from ${JSON.stringify(join(ROOT, 'test/download/server.ts'))};
    const meta = { log: [] };
    http.createServer((req, res) => { meta.log.push({ path: req.url }); res.end('METADATA-SECRET-CONTENT'); }).listen(80, '${META}');
    const servers = { loopback: await startTestServer(), public: await startTestServer({ host: '${PUBLIC}' }),
      private: await startTestServer({ host: '${PRIVATE}' }) };
    console.log(JSON.stringify(Object.fromEntries(Object.entries(servers).map(([k, s]) => [k, s.origin]))));
    servers.meta = meta;
    const told = {};
    setInterval(() => {
      for (const [k, s] of Object.entries(servers)) while ((told[k] ??= 0) < s.log.length) console.log(JSON.stringify({ at: k, path: s.log[told[k]++].path }));
    }, 10);`;
  const servers: Omit<Servers, 'child'> = { origins: { loopback: '', public: '', private: '' }, seen: [] };
  const child = await runInNamespace(NS, code, (msg) => {
    if (!msg.loopback) {
      servers.seen.push(`${msg.at} ${msg.path}`);
      return false;
    }
    servers.origins = msg as Servers['origins'];
    return true;
  });
  return { ...servers, child };
}

interface Item {
  url: string;
  status: string;
  code?: string;
  error?: string;
  attempts: number;
}

describe.skipIf(why !== undefined)('IPv6 forms that carry an IPv4 address, in a namespace with only lo', () => {
  let cli: CliHome;
  let servers: Servers;
  beforeAll(async () => {
    cli = newHome();
    servers = await startServers();
  });
  afterAll(async () => {
    servers?.child.kill();
    await cli?.cleanup();
    removeNamespace();
  });

  /** Runs the built CLI inside the namespace over `urls`: its exit code and the report's items, in the order given. */
  const download = async (urls: string[], extra: string[] = []): Promise<{ code: number | null; items: Item[] }> => {
    const list = `list-${Math.random().toString(36).slice(2)}.json`;
    writeFileSync(join(cli.home, list), JSON.stringify(urls));
    const args = ['netns', 'exec', NS, process.execPath, BIN, '--json', 'download-urls', list, '--out', 'out', '--retries', '1', ...extra];
    const child = spawn('ip', args, { env: cli.env, cwd: cli.home, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).not.toMatch(/\n\s+at /);
    return { code, items: (JSON.parse(stdout) as { items: Item[] }).items };
  };
  /** What the servers saw, after giving their log a moment to come through. */
  const seen = async (server: string) => {
    await new Promise((r) => setTimeout(r, 100));
    return servers.seen.filter((s) => s.startsWith(`${server} `));
  };
  const redirect = (from: string, to: string) => `${from}/redirect/r?to=${encodeURIComponent(to)}`;
  // A query per form: the mapped forms are one URL once parsed, and a list's duplicates are skipped.
  const metaUrls = forms(META).map(([, f], i) => `http://${f}/latest/meta-data/?form=${i}`);
  const byName = [`http://mapped.meta.test/latest/meta-data/`, `http://nat64.meta.test/latest/meta-data/`];
  const carried =
    /, which carries IPv4 (\S+ and )?169\.254\.169\.254( and \S+)?, is link-local or cloud metadata and refused; allow it with --allow-address \S+\/128$/;

  it('refuses every form of the metadata address as the URL given, by address or by name, before a request', async () => {
    const inIPv4 = ['2852039166', '0xa9fea9fe', '0251.0376.0251.0376'].map((host, i) => `http://${host}/latest/?v4=${i}`);
    const { code, items } = await download([...metaUrls, ...byName, ...inIPv4]);
    expect(code).toBe(1);
    for (const item of items) expect(item, item.url).toMatchObject({ status: 'failed', code: 'blocked_address', attempts: 1 });
    for (const item of items.slice(0, metaUrls.length)) expect(item.error, item.url).toMatch(carried);
    expect(items[metaUrls.length]!.error).toBe(
      'mapped.meta.test (::ffff:169.254.169.254), which carries IPv4 169.254.169.254, is link-local or cloud metadata and refused; ' +
        'allow it with --allow-address ::ffff:169.254.169.254/128',
    );
    for (const item of items.slice(-inIPv4.length))
      expect(item.error).toMatch(/^169\.254\.169\.254 is link-local or cloud metadata and refused/);
    expect(await seen('meta')).toEqual([]);
  });

  it('refuses every form of the metadata address as a redirect target, from loopback and from a public address', async () => {
    const targets = [...metaUrls, ...byName];
    const { items } = await download([
      ...targets.map((t) => redirect(servers.origins.loopback, t)),
      ...targets.map((t) => redirect(servers.origins.public, t)),
    ]);
    for (const item of items) {
      expect(item, item.url).toMatchObject({ status: 'failed', code: 'blocked_address', attempts: 1 });
      expect(item.error, item.url).toMatch(
        /, which carries IPv4 (\S+ and )?169\.254\.169\.254( and \S+)?, is link-local or cloud metadata and refused/,
      );
    }
    expect(await seen('loopback')).toHaveLength(targets.length);
    expect(await seen('meta')).toEqual([]);
  });

  it('refuses every form of 127.0.0.1 as a redirect target from a public or a private address', async () => {
    const port = new URL(servers.origins.loopback).port;
    const homes = [
      ...forms('127.0.0.1').map(([, f], i) => `http://${f}:${port}/file/home?form=${i}`),
      `http://mapped.home.test:${port}/file/home`,
    ];
    const before = (await seen('loopback')).length;
    const { items } = await download([
      ...homes.map((t) => redirect(servers.origins.public, t)),
      ...homes.map((t) => redirect(servers.origins.private, t)),
    ]);
    items.forEach((item, i) => {
      const from = i < homes.length ? 'public' : 'private';
      expect(item, item.url).toMatchObject({ status: 'failed', code: 'blocked_address', attempts: 1 });
      expect(item.error, item.url).toMatch(
        new RegExp(`^redirect from a ${from} address to loopback .*, which carries IPv4 (\\S+ and )?127\\.0\\.0\\.1( and \\S+)?, refused`),
      );
    });
    expect((await seen('loopback')).slice(before)).toEqual([]);
  });

  it('reaches both servers through ::ffff: forms when nothing refuses them: the refusals above are the guard', async () => {
    const port = new URL(servers.origins.loopback).port;
    const { code, items } = await download(
      [`http://[::ffff:127.0.0.1]:${port}/file/direct?size=10`, `http://[::ffff:${META}]/latest/meta-data/iam`],
      ['--allow-address', `${META}/32`],
    );
    expect(items.map((i) => i.status)).toEqual(['downloaded', 'downloaded']);
    expect(code).toBe(0);
    expect(await seen('meta')).toEqual(['meta /latest/meta-data/iam']);
  });
});
