/**
 * The built CLI (`npm run build` first) as a user runs it: every example in
 * docs/download-urls.md, in order, against a local file server and a fresh state dir,
 * then exit codes, the JSON report, and what must never be printed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, newHome, ROOT, type CliHome } from '../helpers/cli.js';
import { testCerts } from './certs.js';
import { bodyOf, sha256Of, startTestServer, type TestServer } from './server.js';

interface Example {
  line: string;
  args: string[];
  stdinFile?: string;
  exit: number;
}

/** The `sqsops …` lines of the doc's ```shell blocks; `# exits N` sets the expected exit code. */
function docExamples(): Example[] {
  const doc = readFileSync(join(ROOT, 'docs/download-urls.md'), 'utf8');
  const out: Example[] = [];
  for (const block of doc.matchAll(/```shell\n([\s\S]*?)```/g)) {
    for (const raw of block[1]!.split('\n')) {
      const comment = /\s#\s*(.*)$/.exec(raw)?.[1] ?? '';
      const line = raw.replace(/\s+#.*$/, '').trim();
      const m = /^(?:cat (\S+) \| )?sqsops (.+)$/.exec(line);
      if (!m) continue;
      out.push({
        line,
        args: m[2]!.split(/\s+/),
        ...(m[1] ? { stdinFile: m[1] } : {}),
        exit: Number(/exits (\d+)/.exec(comment)?.[1] ?? 0),
      });
    }
  }
  return out;
}

let cli: CliHome;
let server: TestServer;
beforeAll(async () => {
  cli = newHome();
  server = await startTestServer();
  const f = (name: string, query = 'size=2000') => `${server.origin}/file/${name}?${query}`;
  const w = (name: string, text: string) => writeFileSync(join(cli.home, name), text);
  w(
    'urls.json',
    JSON.stringify([
      f('a.bin'),
      { url: f('b.bin', 'size=70000&seed=2'), path: 'data/b.bin', sha256: sha256Of(70000, 2) },
      `${server.origin}/flaky/c.bin?times=2`,
    ]),
  );
  w('urls.ndjson', `${JSON.stringify(f('d.bin'))}\n${JSON.stringify({ url: f('e.bin'), path: 'e/e.bin' })}\n`);
  w('urls.txt', `# plain URLs\n${f('g.bin')}\n${f('h.bin')}\n`);
  w('bad.json', JSON.stringify([f('ok.bin'), 'ftp://127.0.0.1/x', { url: f('y.bin'), path: '../escape' }]));
  w('ca.pem', readFileSync(testCerts().caFile, 'utf8'));
  mkdirSync(join(cli.home, 'lists'));
  writeFileSync(join(cli.home, 'lists/1.json'), JSON.stringify([f('l1.bin')]));
  writeFileSync(join(cli.home, 'lists/2.ndjson'), `${f('l2.bin')}\n`);
  writeFileSync(join(cli.home, 'lists/notes.md'), 'not a list');
});
afterAll(async () => {
  await cli.cleanup();
  await server.close();
});

describe('sqsops download-urls, built', () => {
  const examples = docExamples();

  it('has the examples the docs show', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
    expect(examples.some((e) => e.args.includes('--to-s3'))).toBe(true);
  });

  it('runs every example in docs/download-urls.md with the exit code it states', async () => {
    for (const ex of examples) {
      const input = ex.stdinFile ? readFileSync(join(cli.home, ex.stdinFile), 'utf8') : '';
      const r = await cli.run(ex.args, { input });
      if (r.code !== ex.exit) console.error(ex.line, r.stdout, r.stderr);
      expect(r.code, ex.line).toBe(ex.exit);
      expect(r.stderr, ex.line).not.toMatch(/\n\s+at /);
    }
    const files = readdirSync(join(cli.home, 'downloads'), { recursive: true }).map(String).sort();
    expect(files).toEqual(['a.bin', 'c.bin', 'data', 'data/b.bin', 'g.bin', 'h.bin', 'l1.bin', 'l2.bin', 'ok.bin']);
    expect(readFileSync(join(cli.home, 'downloads/data/b.bin')).equals(bodyOf(70000, 2))).toBe(true);
    expect(existsSync(join(cli.home, 'd.bin'))).toBe(true);
    expect(existsSync(join(cli.home, 'escape'))).toBe(false);
  });

  it('reports JSON on stdout, exits 1 on a failure, and never prints a secret', async () => {
    writeFileSync(
      join(cli.home, 'secret.json'),
      JSON.stringify([
        { url: `${server.origin}/status/500?token=very-secret-token`, headers: { Authorization: 'Bearer secret-bearer-value' } },
        `http://someone:hunter2-password@127.0.0.1:1/file`,
      ]),
    );
    const r = await cli.run(['--json', 'download-urls', 'secret.json', '--out', 'secret-out', '--retries', '1', '--connect-timeout', '2']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { failed: number; items: { url: string; status: string; attempts: number; code: string }[] };
    expect(report.failed).toBe(2);
    expect(report.items.map((i) => [i.status, i.attempts, i.code])).toEqual([
      ['failed', 2, 'http_status'],
      ['failed', 2, 'network'],
    ]);
    expect(report.items[0]!.url).toMatch(/\?token=\*\*\*$/);
    expect(r.stderr).toMatch(/^error: 2 of 2 downloads failed$/m);
    expect(r.stdout + r.stderr).not.toMatch(/very-secret-token|secret-bearer-value|hunter2-password|someone/);
    const table = await cli.run(['download-urls', 'secret.json', '--out', 'secret-out', '--retries', '0', '--connect-timeout', '2']);
    expect(table.stdout).toMatch(/│ failed/);
    expect(table.stdout + table.stderr).not.toMatch(/very-secret-token|secret-bearer-value|hunter2-password|someone/);
  });

  it('says in one line what is wrong with the input or the flags', async () => {
    const cases: [string[], RegExp][] = [
      [['download-urls', 'nope.json'], /^error: nope\.json does not exist$/m],
      [['download-urls', 'urls.json', '--concurrency', '0'], /^error: --concurrency must be a whole number from 1 to 1024, not "0"$/m],
      [['download-urls', 'urls.json', '--to-s3', 'bucket/x'], /^error: --to-s3 must look like s3:\/\/bucket\/prefix, not "bucket\/x"$/m],
      [['download-urls', 'urls.json', '--to-s3', 's3://b', '--out', 'x'], /^error: --out and --to-s3 both name a destination: give one$/m],
    ];
    for (const [args, message] of cases) {
      const r = await cli.run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const strict = await cli.run(['download-urls', 'bad.json', '--out', 'strict-out', '--strict']);
    expect(strict.stderr).toMatch(/^warning: bad\.json\[1\]: only http and https URLs are fetched, not ftp:$/m);
    expect(strict.stderr).toMatch(/^warning: bad\.json\[2\]: path may not contain "\.\."$/m);
    expect(strict.stderr).toMatch(/^error: 2 bad entries in bad\.json; nothing was downloaded \(--strict\)$/m);
    expect(existsSync(join(cli.home, 'strict-out'))).toBe(false);
  });

  it('trusts a private CA with --ca or NODE_EXTRA_CA_CERTS, and says in one line when it does not', async () => {
    const tls = await startTestServer({ tls: testCerts() });
    try {
      writeFileSync(join(cli.home, 'tls.json'), JSON.stringify([`${tls.origin}/file/t.bin?size=100`]));
      // A wide table, so the error cell is one line to match (at 120 columns it wraps).
      const untrusted = await cli.run(['download-urls', 'tls.json', '--out', 'tls-out', '--force'], { env: { COLUMNS: '300' } });
      expect(untrusted.code).toBe(1);
      expect(untrusted.stdout).toMatch(/TLS certificate not accepted \([A-Z_]+\); trust its CA with --ca FILE or/);
      expect(untrusted.stderr).not.toMatch(/\n\s+at /);
      expect((await cli.run(['download-urls', 'tls.json', '--out', 'tls-out', '--force', '--ca', 'ca.pem'])).code).toBe(0);
      const extra = await cli.run(['download-urls', 'tls.json', '--out', 'tls-out', '--force'], {
        env: { NODE_EXTRA_CA_CERTS: testCerts().caFile },
      });
      expect(extra.code).toBe(0);
      const bad = await cli.run(['download-urls', 'tls.json', '--allow-address', '10.0.0.0/33']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^error: --allow-address "10\.0\.0\.0\/33" is not an address or CIDR$/m);
    } finally {
      await tls.close();
    }
  });

  it('reports a file the disk refuses as a write failure, keeps the others, and leaves no partial file under its name', async () => {
    // The file-size limit (ulimit -f, in KiB) makes write(2) fail with EFBIG past 1 MiB: a real refusal from the
    // kernel, met by the writes that run behind the network in the thread pool.
    const big = `${server.origin}/file/big.bin?size=${8 * 1024 * 1024}&seed=5`;
    const small = `${server.origin}/file/small.bin?size=50000&seed=6`;
    writeFileSync(join(cli.home, 'disk.json'), JSON.stringify([big, small]));
    const args = [BIN, '--json', 'download-urls', 'disk.json', '--out', 'disk-out', '--retries', '2'];
    const child = spawn('bash', ['-c', 'ulimit -f 1024 && exec "$@"', 'bash', process.execPath, ...args], { cwd: cli.home, env: cli.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code, stderr).toBe(1);
    const report = JSON.parse(stdout) as { failed: number; items: { url: string; status: string; attempts: number; code: string }[] };
    const item = (name: string) => report.items.find((i) => i.url.includes(name))!;
    // Not retried: the same file would fail the same way.
    expect(item('big.bin')).toMatchObject({ status: 'failed', code: 'write', attempts: 1 });
    expect(item('small.bin').status).toBe('downloaded');
    expect(stderr).toMatch(/^error: 1 of 2 downloads failed$/m);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(cli.home, 'disk-out/big.bin'))).toBe(false);
    expect(readFileSync(join(cli.home, 'disk-out/small.bin')).equals(bodyOf(50000, 6))).toBe(true);
  });
});
