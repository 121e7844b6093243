/**
 * downloadUrls to a folder, against a real HTTP server that misbehaves on purpose:
 * cut connections, corrupt bodies, ranges, existing files. Assertions are on the
 * files on disk and on what the server saw.
 */
import fs, { appendFileSync, existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { downloadUrls } from '../../src/features/download/index.js';
import { bodyOf, sha256Of } from './server.js';
import { ctx, entry, listAll, run, SCHEMES, tempDir, trust, u, useServer } from './helpers.js';

describe.each(SCHEMES)('over %s', (scheme) => {
  useServer(scheme);

  describe('downloadUrls to a folder', () => {
    it('downloads every URL under its own name and leaves no .part behind', async () => {
      const out = tempDir();
      const r = await run(
        [entry(u('file', 'size=1000&seed=2')), entry(u('file', 'size=0')), entry(u('file', 'size=70000&seed=3'), { path: 'sub/big.bin' })],
        out,
      );
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
      const ranges = ctx.server.log.filter((l) => l.path.startsWith(key)).map((l) => [l.range, l.ifRange]);
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

    it('finishes a .part that already holds every byte when the server answers 416', async () => {
      const out = tempDir();
      const size = 2 * 1024 * 1024;
      const url = u('cut', `size=${size}&cutAt=1300000&times=1&seed=6`);
      const name = new URL(url).pathname.slice('/cut/'.length);
      await run([entry(url)], out, { retries: 0 });
      // As if a run had written the last byte and died before the rename.
      appendFileSync(join(out, `${name}.part`), bodyOf(size, 6).subarray(1300000));
      const r = await run([entry(url, { sha256: sha256Of(size, 6) })], out, { retries: 0 });
      expect(r.items[0]).toMatchObject({ status: 'resumed', resumedFrom: size, size, attempts: 1 });
      expect(r.bytes).toBe(0);
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
      const r = await run(
        [
          entry(u('corrupt', 'size=5000&times=1'), { sha256: sha256Of(5000) }),
          entry(u('corrupt', 'size=5000&times=99'), { sha256: sha256Of(5000) }),
        ],
        out,
        { retries: 5 },
      );
      expect(r.items.map((i) => [i.status, i.attempts, i.code])).toEqual([
        ['downloaded', 2, undefined],
        ['failed', 2, 'checksum'],
      ]);
      expect(listAll(out)).toEqual([r.items[0]!.target.slice(out.length + 1)]);
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

    it('prints no secret: URL tokens are masked and headers never appear', async () => {
      const out = tempDir();
      const r = await run(
        [
          entry(`${ctx.server.origin}/status/500?token=s3cr3t-value`, { headers: { Authorization: 'Bearer top-secret-1' } }),
          entry(`http://user:hunter22@127.0.0.1:1/x?sig=abcd1234`),
        ],
        out,
        { retries: 0, connectTimeoutMs: 500 },
      );
      const text = JSON.stringify(r);
      expect(text).not.toMatch(/s3cr3t-value|top-secret-1|hunter22|abcd1234/);
      expect(r.items[0]!.url).toBe(`${ctx.server.origin}/status/500?token=***`);
      expect(r.items[1]!.url).toBe('http://***:***@127.0.0.1:1/x?sig=***');
    });

    it.each([true, false])('syncs each file to the disk before its rename unless told not to (durable: %s)', async (durable) => {
      // Whether bytes reached the disk cannot be seen without pulling the plug: the sync call is the only witness.
      const datasync = vi.spyOn(fs, 'fdatasync');
      try {
        const out = tempDir();
        const r = await run([entry(u('file', 'size=1000&seed=2')), entry(u('file', 'size=3000000&seed=3'))], out, { durable });
        expect(r).toMatchObject({ downloaded: 2, failed: 0 });
        expect(readFileSync(r.items[1]!.target).equals(bodyOf(3000000, 3))).toBe(true);
        if (durable) expect(datasync.mock.calls.length).toBeGreaterThanOrEqual(2);
        else expect(datasync).not.toHaveBeenCalled();
      } finally {
        datasync.mockRestore();
      }
    });

    it('streams a large file with flat memory and verifies it', async () => {
      const out = tempDir();
      const size = 256 * 1024 * 1024;
      let peak = 0;
      const base = process.memoryUsage().arrayBuffers;
      const r = await downloadUrls(
        { entries: [entry(u('file', `size=${size}&seed=11`), { sha256: sha256Of(size, 11) })], outDir: out, ...trust() },
        () => {
          peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
        },
      );
      expect(r.items[0]).toMatchObject({ status: 'downloaded', size });
      // Buffers (garbage included, GC decides when) stay well under the file: it is never held whole.
      expect(peak).toBeLessThan(size / 2);
    });
  });
});
