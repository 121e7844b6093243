/**
 * The sink contract: what every sink (S3, MongoDB, SQL Server, user handlers) must do,
 * as one suite each sink's test file runs against the real store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sink, SinkMessage } from '../../src/sinks/types.js';

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
  return { key, messageId: `m-${seq}`, queue: 'contract', body, raw: JSON.stringify(body), receiveCount: 1, sentAt: '2026-01-02T03:04:05.000Z', ...extra };
}

export function sinkContract(name: string, make: () => Promise<SinkUnderTest>, opts: { skip?: string } = {}): void {
  if (opts.skip) {
    describe(`${name} sink contract`, () => {
      console.log(`skipped: ${name} sink contract (${opts.skip})`);
      it.skip(`skipped: ${opts.skip}`, () => undefined);
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

    it('is idempotent by key: a rewrite replaces, never duplicates, and the later body wins', async () => {
      const before = await t.count();
      const key = `${name}-idem`;
      await t.sink.write([message(key, { v: 1 })]);
      await t.sink.write([message(key, { v: 2 })]);
      expect(await t.count()).toBe(before + 1);
      expect(await t.read(key)).toEqual({ v: 2 });
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

    it('works again after close and a new sink over the same store', async () => {
      if (!t.reopen) return;
      await t.sink.close();
      t.sink = await t.reopen();
      await t.sink.open?.();
      const m = message(`${name}-reopened`, { again: true });
      expect((await t.sink.write([m])).failed).toEqual([]);
      expect(await t.read(m.key)).toEqual({ again: true });
    });
  });
}
