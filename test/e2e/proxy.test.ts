/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY, with the built CLI as a process and a real forward
 * proxy in between: AWS calls over https tunnel through it (the emulator behind a TLS front,
 * reached by a name only the proxy knows), downloads go through it, NO_PROXY hosts and this
 * machine never do, and a dead proxy is one line naming it, its password masked.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCerts } from '../download/certs.js';
import { startTestServer, type TestServer } from '../download/server.js';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { newHome, type CliHome } from '../helpers/cli.js';
import { closedPort, startForwardProxy, startTlsFront, type ForwardProxy } from '../helpers/forwardProxy.js';

const SQS_HOST = 'sqs.proxy.test';
/** A documentation address: nothing answers it directly; the proxy routes it to the test servers. */
const FILES = '198.51.100.7';
const AUTH = { user: 'corp', password: 'pr0xy-s3cret' };
const certs = testCerts([SQS_HOST, FILES]);

let aws: TestAws;
let front: Awaited<ReturnType<typeof startTlsFront>>;
let files: TestServer;
let tlsFiles: TestServer;
let proxy: ForwardProxy;
let cli: CliHome;
let dead: string;

beforeAll(async () => {
  aws = await startTestAws();
  front = await startTlsFront(Number(new URL(aws.local.endpoint).port), certs);
  files = await startTestServer();
  tlsFiles = await startTestServer({ tls: certs });
  proxy = await startForwardProxy({
    auth: AUTH,
    routes: {
      [`${SQS_HOST}:443`]: `127.0.0.1:${front.port}`,
      [`${SQS_HOST}:80`]: new URL(aws.local.endpoint).host,
      // AWS itself: nothing listens there, so the proxy cannot open the tunnel.
      'sqs.eu-west-1.amazonaws.com:443': `127.0.0.1:${await closedPort()}`,
      [`${FILES}:80`]: new URL(files.origin).host,
      [`${FILES}:443`]: new URL(tlsFiles.origin).host,
    },
  });
  dead = `http://${AUTH.user}:${AUTH.password}@127.0.0.1:${await closedPort()}`;
  cli = newHome();
});

afterAll(async () => {
  await cli?.cleanup();
  await Promise.all([proxy?.close(), front?.close(), files?.close(), tlsFiles?.close(), aws?.stop()]);
});

/** The proxy's log lines added while `fn` runs. */
async function logged<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const before = proxy.log.length;
  const result = await fn();
  return { result, lines: proxy.log.slice(before) };
}

describe('AWS calls', () => {
  const awsEnv = (extra: NodeJS.ProcessEnv) => ({
    AWS_ACCESS_KEY_ID: aws.local.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.local.credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
    NODE_EXTRA_CA_CERTS: certs.caFile,
    ...extra,
  });
  const produce = (queue: string, env: NodeJS.ProcessEnv) =>
    cli.run(['--endpoint-url', `https://${SQS_HOST}`, 'produce', '--queue', queue, '--count', '5'], { env: awsEnv(env) });

  it('tunnel through HTTPS_PROXY over https, trusting NODE_EXTRA_CA_CERTS inside the tunnel', async () => {
    const url = await aws.queues.create({ name: 'via-proxy' });
    const { result: r, lines } = await logged(() => produce('via-proxy', { HTTPS_PROXY: proxy.url }));
    expect(r.stderr).toBe(r.stderr.replace(/error:.*/s, ''));
    expect(r.code).toBe(0);
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines)).toEqual(new Set([`CONNECT ${SQS_HOST}:443`]));
    expect((await aws.depth(url)).visible).toBe(5);
  });

  it('keep tunnels and connections to the proxy alive from call to call', async () => {
    const url = await aws.queues.create({ name: 'kept-alive' });
    for (const [scheme, variable] of [
      ['https', 'HTTPS_PROXY'],
      ['http', 'HTTP_PROXY'],
    ] as const) {
      const before = proxy.connections;
      const args = ['--endpoint-url', `${scheme}://${SQS_HOST}`, 'produce', '--queue', 'kept-alive', '--count', '100', '-c', '1'];
      const { result: r, lines } = await logged(() => cli.run(args, { env: awsEnv({ [variable]: proxy.url }) }));
      expect(r.code).toBe(0);
      // Ten batches and the calls before them, one after another: one connection (one tunnel) carries them all.
      if (scheme === 'https') expect(lines).toEqual([`CONNECT ${SQS_HOST}:443`]);
      else expect(lines.filter((l) => l === `POST http://${SQS_HOST}/`).length).toBeGreaterThan(10);
      expect(proxy.connections - before).toBe(1);
    }
    expect((await aws.depth(url)).visible).toBe(200);
  });

  it('go to HTTP_PROXY as plain requests for an http endpoint', async () => {
    const url = await aws.queues.create({ name: 'via-http-proxy' });
    const run = () =>
      cli.run(['--endpoint-url', `http://${SQS_HOST}`, 'produce', '--queue', 'via-http-proxy', '--count', '4'], {
        env: awsEnv({ HTTP_PROXY: proxy.url, HTTPS_PROXY: dead }),
      });
    const { result: r, lines } = await logged(run);
    expect(r.stderr).not.toMatch(/^error:/m);
    expect(r.code).toBe(0);
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines)).toEqual(new Set([`POST http://${SQS_HOST}/`]));
    expect((await aws.depth(url)).visible).toBe(4);
  });

  it("decide for AWS's own endpoint with the region a profile gives", async () => {
    const config = join(cli.home, 'aws-config');
    writeFileSync(config, '[profile px]\nregion = eu-west-1\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = not-a-real-secret\n');
    const run = (env: NodeJS.ProcessEnv) =>
      logged(() =>
        cli.run(['--profile', 'px', 'produce', '--queue', 'q', '--count', '1'], {
          env: { AWS_CONFIG_FILE: config, AWS_MAX_ATTEMPTS: '1', HTTPS_PROXY: proxy.url, ...env },
        }),
      );
    const proxied = await run({});
    expect(proxied.result.code).toBe(4);
    expect(proxied.result.stderr).toMatch(
      /^error: SQS did not answer through the proxy http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+ \(HTTP 500\)$/m,
    );
    expect(proxied.lines).toEqual(['CONNECT sqs.eu-west-1.amazonaws.com:443']);
    const direct = await run({ NO_PROXY: '.eu-west-1.amazonaws.com' });
    expect(direct.result.code).toBe(4);
    expect(direct.lines).toEqual([]);
  });

  it('go directly to a host NO_PROXY names (here: a name only the proxy could resolve)', async () => {
    const { result: r, lines } = await logged(() => produce('via-proxy', { https_proxy: proxy.url, NO_PROXY: `example.org,${SQS_HOST}` }));
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(new RegExp(`^error: cannot reach SQS at https://${SQS_HOST} \\((ENOTFOUND|EAI_AGAIN)\\)$`, 'm'));
    expect(lines).toEqual([]);
  });

  it('say a dead proxy in one line that names it, its credentials masked', async () => {
    const r = await produce('via-proxy', { HTTPS_PROXY: dead });
    expect(r.code).toBe(4);
    const port = new URL(dead).port;
    expect(r.stderr).toMatch(
      new RegExp(`^error: cannot reach the proxy http://\\*\\*\\*:\\*\\*\\*@127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)$`, 'm'),
    );
    expect(r.stderr).toMatch(/^hint: check HTTPS_PROXY \/ HTTP_PROXY, or list the host in NO_PROXY to connect directly$/m);
    expect(r.stderr).not.toContain(AUTH.password);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('say so when the proxy wants credentials', async () => {
    const { result: r, lines } = await logged(() => produce('via-proxy', { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` }));
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(new RegExp(`^error: the proxy http://127\\.0\\.0\\.1:${proxy.port} wants credentials \\(HTTP 407\\)$`, 'm'));
    expect(lines).toEqual([`CONNECT ${SQS_HOST}:443`]);
  });

  it('refuse a proxy URL sqsops cannot use, before any call', async () => {
    const r = await produce('via-proxy', { HTTPS_PROXY: 'socks5://corp:pr0xy-s3cret@127.0.0.1:1080' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: HTTPS_PROXY is not an http\(s\) proxy URL: "socks5:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:1080"$/m);
  });

  it('reach the embedded local AWS directly, whatever proxy is set', async () => {
    for (const via of [proxy.url, dead]) {
      const { result: r, lines } = await logged(() =>
        cli.run(['produce', '--count', '3'], { env: { HTTPS_PROXY: via, HTTP_PROXY: via, ALL_PROXY: via } }),
      );
      expect(r.stderr).toMatch(/^target: local AWS at http:\/\/127\.0\.0\.1:\d+/m);
      expect(r.code).toBe(0);
      expect(lines).toEqual([]);
    }
  });
});

describe('downloads', () => {
  const download = (name: string, urls: string[], env: NodeJS.ProcessEnv, extra: string[] = []) => {
    const dir = join(cli.home, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'list.json'), JSON.stringify(urls));
    const args = ['download-urls', join(dir, 'list.json'), '--out', join(dir, 'out'), '--retries', '0', '--connect-timeout', '2', ...extra];
    return { dir: join(dir, 'out'), run: () => cli.run(args, { env }) };
  };

  it('send plain http as GETs to HTTP_PROXY and tunnel https through HTTPS_PROXY, trusting --ca inside the tunnel', async () => {
    const d = download(
      'through',
      [`http://${FILES}/file/a.bin?size=2000`, `https://${FILES}/file/b.bin?size=3000`],
      {
        HTTP_PROXY: proxy.url,
        HTTPS_PROXY: proxy.url,
      },
      ['--ca', certs.caFile],
    );
    const { result: r, lines } = await logged(d.run);
    expect(r.stderr).not.toMatch(/^error:/m);
    expect(r.code).toBe(0);
    expect(statSync(join(d.dir, 'a.bin')).size).toBe(2000);
    expect(statSync(join(d.dir, 'b.bin')).size).toBe(3000);
    expect(lines.sort()).toEqual([`CONNECT ${FILES}:443`, `GET http://${FILES}/file/a.bin?size=2000`]);
  });

  it('keep tunnels and connections to the proxy alive from file to file', async () => {
    const urls = [1, 2, 3, 4, 5, 6].flatMap((i) => [`https://${FILES}/file/k${i}.bin?size=100`, `http://${FILES}/file/p${i}.bin?size=100`]);
    const d = download('kept', urls, { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url }, ['--ca', certs.caFile, '--concurrency', '1']);
    const before = proxy.connections;
    const { result: r, lines } = await logged(d.run);
    expect(r.code).toBe(0);
    expect(lines.filter((l) => l.startsWith('CONNECT'))).toEqual([`CONNECT ${FILES}:443`]);
    expect(lines.filter((l) => l.startsWith('GET'))).toHaveLength(6);
    // One tunnel for the https files, one connection for the forwarded GETs.
    expect(proxy.connections - before).toBe(2);
  });

  it('go directly to NO_PROXY hosts and to this machine', async () => {
    const d = download('direct', [`http://${FILES}/file/c.bin?size=10`, `${files.origin}/file/d.bin?size=20`], {
      http_proxy: proxy.url,
      no_proxy: FILES,
    });
    const { result: r, lines } = await logged(d.run);
    expect(r.code).toBe(1);
    expect(existsSync(join(d.dir, 'c.bin'))).toBe(false);
    expect(statSync(join(d.dir, 'd.bin')).size).toBe(20);
    expect(lines).toEqual([]);
  });

  it('refuse a link-local address before asking the proxy', async () => {
    const d = download('metadata', ['http://169.254.169.254/latest/meta-data/'], { HTTP_PROXY: proxy.url }, ['--json']);
    const { result: r, lines } = await logged(d.run);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { items: { code: string }[] };
    expect(report.items.map((i) => i.code)).toEqual(['blocked_address']);
    expect(lines).toEqual([]);
  });

  it('stop at a dead proxy with one line that names it, its credentials masked', async () => {
    const d = download('dead', [`http://${FILES}/file/e.bin`, `https://${FILES}/file/f.bin`], { HTTP_PROXY: dead, HTTPS_PROXY: dead });
    const r = await d.run();
    expect(r.code).toBe(4);
    const port = new URL(dead).port;
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toEqual([`error: cannot reach the proxy http://***:***@127.0.0.1:${port} (ECONNREFUSED)`]);
    expect(r.stderr).not.toContain(AUTH.password);
  });
});
