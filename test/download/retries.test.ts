/**
 * How downloadUrls retries, waits, redirects, times out and shares connections,
 * against a real HTTP server that fails on purpose.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { downloadUrls } from '../../src/features/download/index.js';
import { ctx, entry, listAll, run, SCHEMES, startServer, tempDir, trust, u, useServer } from './helpers.js';

describe.each(SCHEMES)('over %s', (scheme) => {
  useServer(scheme);

  describe('downloadUrls retries and limits', () => {
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
      const r = await run([entry(`${ctx.server.origin}/status/404`), entry(`${ctx.server.origin}/status/403`)], tempDir(), { retries: 5 });
      expect(r.items.map((i) => [i.status, i.attempts, i.error])).toEqual([
        ['failed', 1, 'HTTP 404'],
        ['failed', 1, 'HTTP 403'],
      ]);
    });

    it('waits as long as Retry-After says after a 429', async () => {
      const url = u('ratelimit', 'times=1&retryAfter=1');
      const r = await run([entry(url)], tempDir());
      expect(r.items[0]).toMatchObject({ status: 'downloaded', attempts: 2 });
      expect(ctx.server.log.filter((l) => l.path.startsWith(new URL(url).pathname))).toHaveLength(2);
      // Backoff alone would be a few ms here; the run cannot be shorter than the 1 s it was told to wait (a lower bound only).
      expect(r.durationMs).toBeGreaterThanOrEqual(990);
    });

    it('lets the items after a URL in backoff run while it waits', async () => {
      const waiting = Array.from({ length: 4 }, () => entry(u('ratelimit', 'times=1&retryAfter=1')));
      const ready = Array.from({ length: 4 }, () => entry(u('file', 'size=100')));
      const before = ctx.server.log.length;
      const r = await run([...waiting, ...ready], tempDir(), { concurrency: 1 });
      expect(r.downloaded).toBe(8);
      // Every ready URL was fetched before any waiting one came back for its second try.
      const paths = ctx.server.log.slice(before).map((l) => l.path);
      const lastReady = Math.max(...ready.map((e) => paths.indexOf(new URL(e.url).pathname + new URL(e.url).search)));
      const firstRetry = Math.min(...waiting.map((e) => paths.lastIndexOf(new URL(e.url).pathname + new URL(e.url).search)));
      expect(lastReady).toBeLessThan(firstRetry);
    });

    it('caps a very long Retry-After', async () => {
      const r = await run([entry(u('ratelimit', 'times=1&retryAfter=3600'))], tempDir(), {
        retryTiming: { baseMs: 1, maxRetryAfterMs: 20 },
      });
      expect(r.items[0]).toMatchObject({ status: 'downloaded', attempts: 2 });
    });

    it('follows a few redirects, and refuses loops, long chains and other schemes', async () => {
      const r = await run(
        [
          entry(`${ctx.server.origin}/hops/2?size=10`),
          entry(`${ctx.server.origin}/hops/9?size=10`),
          entry(`${ctx.server.origin}/loop/a`),
          entry(`${ctx.server.origin}/redirect/x?to=ftp://127.0.0.1/f`),
        ],
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

    it('keeps at most --concurrency downloads in flight', async () => {
      const own = await startServer(scheme);
      try {
        // The gate holds answers until 3 are in flight: reaching 3 is certain, going past it is the limit's to prevent.
        own.gateAt = 3;
        const r = await run(
          Array.from({ length: 9 }, (_, i) => entry(`${own.origin}/gate/c${i}?size=100`)),
          tempDir(),
          { concurrency: 3 },
        );
        expect(r.downloaded).toBe(9);
        expect(own.maxInFlight).toBe(3);
      } finally {
        await own.close();
      }
    });

    it('keeps at most --per-host downloads on one host while others proceed', async () => {
      const [one, two] = [await startServer(scheme), await startServer(scheme)];
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

    it('sends credentials on the same origin only: a cross-origin redirect drops them', async () => {
      const other = await startServer(scheme);
      try {
        const out = tempDir();
        const headers = { Authorization: 'Bearer abc', 'X-Api-Key': 'k1', Accept: 'application/json' };
        await run(
          [
            entry(`${ctx.server.origin}/redirect/r?to=${encodeURIComponent(`${other.origin}/headers/h`)}`, { headers, path: 'cross.json' }),
            entry(`${ctx.server.origin}/redirect/r?to=/headers/h`, { headers, path: 'same.json' }),
          ],
          out,
        );
        const cross = JSON.parse(readFileSync(join(out, 'cross.json'), 'utf8')) as Record<string, string>;
        const same = JSON.parse(readFileSync(join(out, 'same.json'), 'utf8')) as Record<string, string>;
        expect([cross.authorization, cross['x-api-key'], cross.accept]).toEqual([undefined, undefined, 'application/json']);
        expect([same.authorization, same['x-api-key']]).toEqual(['Bearer abc', 'k1']);
      } finally {
        await other.close();
      }
    });

    it('on abort, starts nothing new but lets a running download finish', async () => {
      const ac = new AbortController();
      const out = tempDir();
      const r = await downloadUrls(
        {
          entries: [entry(u('file', 'size=400000')), entry(u('file')), entry(u('file'))],
          outDir: out,
          concurrency: 1,
          signal: ac.signal,
          ...trust(),
        },
        (p) => {
          // The first bytes of the first file: it is running, the other two wait for the one slot.
          if (p.bytes > 0) ac.abort();
        },
      );
      expect(r.stoppedBy).toBe('interrupted');
      expect(r.items.map((i) => [i.status, i.code])).toEqual([
        ['downloaded', undefined],
        ['failed', 'aborted'],
        ['failed', 'aborted'],
      ]);
      expect(listAll(out)).toEqual([r.items[0]!.target.slice(out.length + 1)]);
    });
  });
});
