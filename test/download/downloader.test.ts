/**
 * downloadUrls against a real HTTP server that misbehaves on purpose: statuses,
 * rate limits, cut connections, corrupt bodies, redirect loops, stalls, ranges.
 * Assertions are on the files on disk and what the server saw.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { downloadUrls, type DownloadEntry, type DownloadOptions } from '../../src/download/index.js';
import { bodyOf, sha256Of, startTestServer, type TestServer } from './server.js';

let server: TestServer;
const dirs: string[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sqsops-dl-'));
  dirs.push(d);
  return d;
}

let seq = 0;
/** A fresh key per call, so per-key failure counters start at zero. */
const u = (route: string, query = '') => `${server.origin}/${route}/k${seq++}${query ? `?${query}` : ''}`;
let entries = 0;
const entry = (url: string, more: Partial<DownloadEntry> = {}): DownloadEntry => ({ url, source: `t[${entries++}]`, ...more });
const fast = { retryTiming: { baseMs: 1, capMs: 5 } };

function run(entries: DownloadEntry[], out: string, more: Partial<DownloadOptions> = {}) {
  return downloadUrls({ entries, outDir: out, ...fast, ...more });
}

/** Every file under a folder, relative; `.part` files included. */
function listAll(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

describe('downloadUrls to a folder', () => {
  it('downloads every URL under its own name and leaves no .part behind', async () => {
    const out = tempDir();
    const r = await run([entry(u('file', 'size=1000&seed=2')), entry(u('file', 'size=0')), entry(u('file', 'size=70000&seed=3'), { path: 'sub/big.bin' })], out);
    expect(r).toMatchObject({ total: 3, downloaded: 3, failed: 0, skipped: 0, invalid: 0, bytes: 71000 });
    expect(listAll(out)).toEqual(['k0', 'k1', 'sub/big.bin']);
    expect(readFileSync(join(out, 'k0')).equals(bodyOf(1000, 2))).toBe(true);
    expect(readFileSync(join(out, 'sub/big.bin')).equals(bodyOf(70000, 3))).toBe(true);
    expect(r.items.map((i) => [i.status, i.size, i.attempts])).toEqual([
      ['downloaded', 1000, 1],
      ['downloaded', 0, 1],
      ['downloaded', 70000, 1],
    ]);
  });

  it('retries 5xx until it succeeds, and gives up after --retries with nothing left on disk', async () => {
    const out = tempDir();
    const r = await run([entry(u('flaky', 'times=3&status=503')), entry(u('flaky', 'times=99&status=500'))], out, { retries: 3 });
    expect(r.items.map((i) => [i.status, i.attempts, i.code])).toEqual([
      ['downloaded', 4, undefined],
      ['failed', 4, 'http_status'],
    ]);
    expect(r.items[1]!.error).toBe('HTTP 500');
    expect(listAll(out)).toEqual([r.items[0]!.target.slice(out.length + 1)]);
  });

  it('does not retry other 4xx', async () => {
    const r = await run([entry(`${server.origin}/status/404`), entry(`${server.origin}/status/403`)], tempDir(), { retries: 5 });
    expect(r.items.map((i) => [i.status, i.attempts, i.error])).toEqual([
      ['failed', 1, 'HTTP 404'],
      ['failed', 1, 'HTTP 403'],
    ]);
  });

  it('waits as long as Retry-After says after a 429', async () => {
    const url = u('ratelimit', 'times=1&retryAfter=1');
    const r = await run([entry(url)], tempDir());
    expect(r.items[0]).toMatchObject({ status: 'downloaded', attempts: 2 });
    expect(server.log.filter((l) => l.path.startsWith(new URL(url).pathname))).toHaveLength(2);
    // Backoff alone would be a few ms here; the run cannot be shorter than the 1 s it was told to wait (a lower bound only).
    expect(r.durationMs).toBeGreaterThanOrEqual(990);
  });

  it('caps a very long Retry-After', async () => {
    const r = await run([entry(u('ratelimit', 'times=1&retryAfter=3600'))], tempDir(), { retryTiming: { baseMs: 1, maxRetryAfterMs: 20 } });
    expect(r.items[0]).toMatchObject({ status: 'downloaded', attempts: 2 });
  });

  it('starts a small file again after a cut connection', async () => {
    const out = tempDir();
    const r = await run([entry(u('cut', 'size=200000&cutAt=70000&times=1'))], out);
    expect(r.items[0]).toMatchObject({ status: 'downloaded', attempts: 2, size: 200000 });
    expect(listAll(out)).toEqual([r.items[0]!.target.slice(out.length + 1)]);
    expect(readFileSync(r.items[0]!.target).equals(bodyOf(200000))).toBe(true);
  });

  it('resumes a large file with a Range request after a cut, without using up a retry', async () => {
    const out = tempDir();
    const size = 3 * 1024 * 1024;
    const url = u('cut', `size=${size}&cutAt=1500000&times=2&seed=9`);
    const key = new URL(url).pathname;
    const r = await run([entry(url, { sha256: sha256Of(size, 9) })], out, { retries: 1 });
    expect(r.items[0]).toMatchObject({ status: 'resumed', attempts: 3, size, resumedFrom: 1500000 });
    const ranges = server.log.filter((l) => l.path.startsWith(key)).map((l) => [l.range, l.ifRange]);
    expect(ranges).toEqual([
      [undefined, undefined],
      ['bytes=1500000-', `"${size}-9"`],
      ['bytes=1500000-', `"${size}-9"`],
    ]);
    expect(readFileSync(r.items[0]!.target).equals(bodyOf(size, 9))).toBe(true);
    expect(listAll(out)).toEqual([key.slice('/cut/'.length)]);
  });

  it('keeps an unfinished .part off the final name, and the next run resumes it', async () => {
    const out = tempDir();
    const size = 2 * 1024 * 1024;
    const url = u('cut', `size=${size}&cutAt=1200000&times=1&seed=4`);
    const name = new URL(url).pathname.slice('/cut/'.length);
    const first = await run([entry(url)], out, { retries: 0 });
    expect(first.items[0]).toMatchObject({ status: 'failed', code: 'network' });
    expect(existsSync(join(out, name))).toBe(false);
    expect(readFileSync(join(out, `${name}.part`)).equals(bodyOf(1200000, 4))).toBe(true);
    const second = await run([entry(url)], out, { retries: 0 });
    expect(second.items[0]).toMatchObject({ status: 'resumed', resumedFrom: 1200000, size });
    expect(second.bytes).toBe(size - 1200000);
    expect(readFileSync(join(out, name)).equals(bodyOf(size, 4))).toBe(true);
    expect(listAll(out)).toEqual([name]);
  });

  it('starts again from byte 0 when the server ignores Range', async () => {
    const out = tempDir();
    const size = 2 * 1024 * 1024;
    const url = u('cut', `size=${size}&cutAt=1100000&times=1&range=no`);
    await run([entry(url)], out, { retries: 0 });
    const r = await run([entry(url)], out, { retries: 0 });
    expect(r.items[0]).toMatchObject({ status: 'downloaded', size });
    expect(r.bytes).toBe(size);
    expect(readFileSync(r.items[0]!.target).equals(bodyOf(size))).toBe(true);
  });

  it('retries a checksum mismatch once, then fails it and deletes the bad bytes', async () => {
    const out = tempDir();
    const r = await run([entry(u('corrupt', 'size=5000&times=1'), { sha256: sha256Of(5000) }), entry(u('corrupt', 'size=5000&times=99'), { sha256: sha256Of(5000) })], out, { retries: 5 });
    expect(r.items.map((i) => [i.status, i.attempts, i.code])).toEqual([
      ['downloaded', 2, undefined],
      ['failed', 2, 'checksum'],
    ]);
    expect(listAll(out)).toEqual([r.items[0]!.target.slice(out.length + 1)]);
  });

  it('follows a few redirects, and refuses loops, long chains and other schemes', async () => {
    const r = await run(
      [entry(`${server.origin}/hops/2?size=10`), entry(`${server.origin}/hops/9?size=10`), entry(`${server.origin}/loop/a`), entry(`${server.origin}/redirect/x?to=ftp://127.0.0.1/f`)],
      tempDir(),
      { maxRedirects: 3 },
    );
    expect(r.items.map((i) => [i.status, i.code, i.attempts])).toEqual([
      ['downloaded', undefined, 1],
      ['failed', 'too_many_redirects', 1],
      ['failed', 'redirect_loop', 1],
      ['failed', 'bad_redirect', 1],
    ]);
  });

  it('gives up on a server that goes silent mid-body', async () => {
    const out = tempDir();
    const r = await run([entry(u('stall', 'size=100000'))], out, { idleTimeoutMs: 200, retries: 1 });
    expect(r.items[0]).toMatchObject({ status: 'failed', code: 'timeout', attempts: 2 });
    expect(listAll(out)).toEqual([]);
  });

  it('skips a complete file, replaces it with --force, and replaces a wrong one when sha256 says so', async () => {
    const out = tempDir();
    const url = u('file', 'size=300&seed=5');
    const name = new URL(url).pathname.slice('/file/'.length);
    writeFileSync(join(out, name), 'old');
    const skipped = await run([entry(url)], out);
    expect(skipped.items[0]).toMatchObject({ status: 'skipped', note: 'already there', attempts: 0 });
    expect(readFileSync(join(out, name), 'utf8')).toBe('old');
    const checked = await run([entry(url, { sha256: sha256Of(300, 5) })], out);
    expect(checked.items[0]).toMatchObject({ status: 'downloaded' });
    expect(readFileSync(join(out, name)).equals(bodyOf(300, 5))).toBe(true);
    writeFileSync(join(out, name), 'old again');
    const forced = await run([entry(url)], out, { force: true });
    expect(forced.items[0]).toMatchObject({ status: 'downloaded' });
    expect(readFileSync(join(out, name)).equals(bodyOf(300, 5))).toBe(true);
  });

  it('fetches a duplicate entry once', async () => {
    const url = u('file');
    const r = await run([entry(url, { source: 'a[0]' }), entry(url, { source: 'a[1]', duplicateOf: 'a[0]' })], tempDir());
    expect(r.items.map((i) => [i.status, i.note, i.target === r.items[0]!.target])).toEqual([
      ['downloaded', undefined, true],
      ['skipped', 'duplicate of a[0]', true],
    ]);
  });

  it('never writes through a symlink that leaves the output folder', async () => {
    const out = tempDir();
    const elsewhere = tempDir();
    symlinkSync(elsewhere, join(out, 'link'));
    const r = await run([entry(u('file'), { path: 'link/x.bin' })], out);
    expect(r.items[0]).toMatchObject({ status: 'failed', code: 'unsafe_path' });
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('keeps at most --concurrency downloads in flight', async () => {
    const own = await startTestServer();
    try {
      // The gate holds answers until 3 are in flight: reaching 3 is certain, going past it is the limit's to prevent.
      own.gateAt = 3;
      const r = await run(Array.from({ length: 9 }, (_, i) => entry(`${own.origin}/gate/c${i}?size=100`)), tempDir(), { concurrency: 3 });
      expect(r.downloaded).toBe(9);
      expect(own.maxInFlight).toBe(3);
    } finally {
      await own.close();
    }
  });

  it('keeps at most --per-host downloads on one host while others proceed', async () => {
    const [one, two] = [await startTestServer(), await startTestServer()];
    try {
      one.gateAt = 2;
      two.gateAt = 2;
      const entries = Array.from({ length: 8 }, (_, i) => entry(`${i % 2 ? two.origin : one.origin}/gate/p${i}?size=100`));
      const r = await run(entries, tempDir(), { concurrency: 10, perHost: 2 });
      expect(r.downloaded).toBe(8);
      expect([one.maxInFlight, two.maxInFlight]).toEqual([2, 2]);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('prints no secret: URL tokens are masked and headers never appear', async () => {
    const out = tempDir();
    const r = await run(
      [entry(`${server.origin}/status/500?token=s3cr3t-value`, { headers: { Authorization: 'Bearer top-secret-1' } }), entry(`http://user:hunter22@127.0.0.1:1/x?sig=abcd1234`)],
      out,
      { retries: 0, connectTimeoutMs: 500 },
    );
    const text = JSON.stringify(r);
    expect(text).not.toMatch(/s3cr3t-value|top-secret-1|hunter22|abcd1234/);
    expect(r.items[0]!.url).toBe(`${server.origin}/status/500?token=***`);
    expect(r.items[1]!.url).toBe('http://***:***@127.0.0.1:1/x?sig=***');
  });

  it('sends credentials on the same origin only: a cross-origin redirect drops them', async () => {
    const other = await startTestServer();
    try {
      const out = tempDir();
      const headers = { Authorization: 'Bearer abc', 'X-Api-Key': 'k1', Accept: 'application/json' };
      await run([entry(`${server.origin}/redirect/r?to=${encodeURIComponent(`${other.origin}/headers/h`)}`, { headers, path: 'cross.json' }), entry(`${server.origin}/redirect/r?to=/headers/h`, { headers, path: 'same.json' })], out);
      const cross = JSON.parse(readFileSync(join(out, 'cross.json'), 'utf8')) as Record<string, string>;
      const same = JSON.parse(readFileSync(join(out, 'same.json'), 'utf8')) as Record<string, string>;
      expect([cross.authorization, cross['x-api-key'], cross.accept]).toEqual([undefined, undefined, 'application/json']);
      expect([same.authorization, same['x-api-key']]).toEqual(['Bearer abc', 'k1']);
    } finally {
      await other.close();
    }
  });

  it('streams a large file with flat memory and verifies it', async () => {
    const out = tempDir();
    const size = 96 * 1024 * 1024;
    let peak = 0;
    const base = process.memoryUsage().arrayBuffers;
    const r = await downloadUrls({ entries: [entry(u('file', `size=${size}&seed=11`), { sha256: sha256Of(size, 11) })], outDir: out }, () => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    });
    expect(r.items[0]).toMatchObject({ status: 'downloaded', size });
    // Buffers in use stay a small fraction of the file: it is never held whole.
    expect(peak).toBeLessThan(size / 3);
  });

  it('stops when aborted and reports what did not finish', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    const out = tempDir();
    mkdirSync(join(out, 'x'));
    const r = await run([entry(u('file')), entry(u('file'))], out, { signal: ac.signal });
    expect(r.stoppedBy).toBe('interrupted');
    expect(r.items.map((i) => [i.status, i.code])).toEqual([
      ['failed', 'aborted'],
      ['failed', 'aborted'],
    ]);
  });
});
