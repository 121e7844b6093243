/**
 * The sink contract: what every sink (S3, MongoDB, SQL Server, user handlers) must do,
 * as one suite each sink's test file runs against the real store. `make` builds a sink
 * over a fresh store; `read` returns a key's stored body; `cleanup` removes the store.
 * When the store is not available, pass `{ skip: reason }`: the reason is printed and
 * becomes the skipped test's title (we never skip silently).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageError } from '../../src/core/errors.js';
import type { Sink, SinkMessage } from '../../src/pipeline/sink.js';

export interface SinkUnderTest {
  sink: Sink;
  /** The stored body for a key, or undefined. */
  read(key: string): Promise<unknown | undefined>;
  count(): Promise<number>;
  cleanup(): Promise<void>;
  /** A fresh sink over the same store (to check close and reopen). */
  reopen?(): Promise<Sink>;
}

let seq = 0;
export function message(key: string, body: unknown, extra: Partial<SinkMessage> = {}): SinkMessage {
  seq++;
  return {
    key,
    messageId: `m-${seq}`,
    queue: 'contract',
    body,
    raw: JSON.stringify(body),
    receiveCount: 1,
    sentAt: '2026-01-02T03:04:05.000Z',
    ...extra,
  };
}

export function sinkContract(name: string, make: () => Promise<SinkUnderTest>, opts: { skip?: string } = {}): void {
  if (opts.skip) {
    describe(`${name} sink contract`, () => {
      console.log(`skipped: ${name} sink contract (${opts.skip})`);
      it.skipIf(true)(`skipped: ${opts.skip}`, () => undefined);
    });
    return;
  }
  describe(`${name} sink contract`, () => {
    let t: SinkUnderTest;
    beforeAll(async () => {
      t = await make();
      await t.sink.open?.();
    });
    afterAll(async () => {
      if (!t) return; // make() failed: its error is the one to read
      await t.sink.close();
      await t.cleanup();
    });

    it('stores every message of a batch, readable by key', async () => {
      const batch = ['a', 'b', 'c'].map((k) => message(`${name}-${k}`, { id: k, n: 1 }));
      const r = await t.sink.write(batch);
      expect(r.failed).toEqual([]);
      expect(r.succeeded.sort()).toEqual(batch.map((m) => m.key).sort());
      for (const m of batch) expect(await t.read(m.key)).toEqual(m.body);
    });

    it('is idempotent by key: the same batch twice leaves one record per key, and the later body wins', async () => {
      const before = await t.count();
      const keys = ['x', 'y', 'z'].map((k) => `${name}-idem-${k}`);
      const first = await t.sink.write(keys.map((k) => message(k, { k, v: 1 })));
      const second = await t.sink.write(keys.map((k) => message(k, { k, v: 2 }, { receiveCount: 2 })));
      expect([first.failed, second.failed]).toEqual([[], []]);
      expect(await t.count()).toBe(before + keys.length);
      for (const k of keys) expect(await t.read(k)).toEqual({ k, v: 2 });
    });

    it('handles the same key twice inside one batch', async () => {
      const before = await t.count();
      const key = `${name}-twice`;
      const r = await t.sink.write([message(key, { v: 'first' }), message(key, { v: 'second' })]);
      expect(r.failed).toEqual([]);
      expect(await t.count()).toBe(before + 1);
      expect(await t.read(key)).toEqual({ v: 'second' });
    });

    it('does nothing for an empty batch', async () => {
      const before = await t.count();
      expect(await t.sink.write([])).toEqual({ succeeded: [], failed: [] });
      expect(await t.count()).toBe(before);
    });

    it('round-trips unicode, odd keys and a 200 KB body', async () => {
      const big = { text: 'ß€😀'.repeat(10), blob: 'x'.repeat(200 * 1024) };
      const batch = [message(`${name}/odd#key?x=1`, { ok: 'ünïcödé ✓' }), message(`${name}-big`, big)];
      expect((await t.sink.write(batch)).failed).toEqual([]);
      expect(await t.read(batch[0]!.key)).toEqual({ ok: 'ünïcödé ✓' });
      expect(await t.read(batch[1]!.key)).toEqual(big);
    });

    it('reports every message of a batch exactly once', async () => {
      const batch = [message(`${name}-r1`, 1), message(`${name}-r2`, 'two'), message(`${name}-r1`, [3])];
      const r = await t.sink.write(batch);
      expect(r.failed).toEqual([]);
      expect(r.succeeded.sort()).toEqual(batch.map((m) => m.key).sort());
    });

    it('closes (twice is harmless), and a new sink over the store works', async () => {
      await t.sink.close();
      await t.sink.close();
      // reopen() gives a new sink over the same store; without it, make() gives a new sink and store.
      const again: SinkUnderTest = t.reopen ? { ...t, sink: await t.reopen() } : await make();
      try {
        await again.sink.open?.();
        const m = message(`${name}-reopened`, { again: true });
        expect((await again.sink.write([m])).failed).toEqual([]);
        expect(await again.read(m.key)).toEqual({ again: true });
      } finally {
        if (again !== t && !t.reopen) {
          await again.sink.close();
          await again.cleanup();
        }
      }
      if (t.reopen) t.sink = again.sink;
    });
  });
}

/**
 * Opens `sink` on a server that is down and writes two messages: both must fail as retryable.
 * Returns the first error's message, and every error's message, stack and context as one text to search for secrets.
 */
export async function writeWithServerDown(sink: Sink): Promise<{ first: string; seen: string }> {
  await sink.open?.(); // a server that is down is not fatal at start
  const r = await sink.write([message('k1', { a: 1 }), message('k2', { a: 2 })]);
  expect(r.succeeded).toEqual([]);
  expect(r.failed.map((f) => [f.key, f.retryable])).toEqual([
    ['k1', true],
    ['k2', true],
  ]);
  const seen = JSON.stringify(r.failed.map((f) => [f.error.message, f.error.stack, (f.error as UsageError).context]));
  return { first: r.failed[0]!.error.message, seen };
}

/** A describe block that needs a server: it runs with the URL from `envName`, or prints why it is skipped. */
export function describeWithServer(title: string, envName: string, body: (url: string) => void): void {
  const url = process.env[envName];
  describe(title, () => {
    if (url) return body(url);
    console.log(`skipped: ${title} (set ${envName} to run it)`);
    it.skipIf(true)(`skipped: set ${envName} to run it`, () => undefined);
  });
}

/** A describe block that runs with `value` (a server URL, a binary), or prints `skip` and skips. */
export function describeIf<T>(title: string, value: T | undefined | false | '', skip: string | undefined, body: (value: T) => void): void {
  describe(title, () => {
    if (value) return body(value);
    const why = skip ?? 'not available';
    console.log(`skipped: ${title} (${why})`);
    it.skipIf(true)(`skipped: ${why}`, () => undefined);
  });
}

/** The skip option of `sinkContract` for a store reached through `envName`. */
export function unlessSet(envName: string): { skip?: string } {
  return process.env[envName] ? {} : { skip: `set ${envName} to run it` };
}
