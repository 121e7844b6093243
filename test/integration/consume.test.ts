import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { produce } from '../../src/features/produce/produce.js';
import { consume } from '../../src/features/consume/consume.js';
import { showLedger, clearLedger } from '../../src/features/ledger/ledgerOps.js';
import { Ledger } from '../../src/aws/ledger.js';
import { QueueNotFoundError } from '../../src/core/errors.js';

let aws: TestAws;
let dir: string;
beforeAll(async () => {
  aws = await startTestAws();
  dir = mkdtempSync(join(tmpdir(), 'sqsops-consume-'));
});
afterAll(async () => {
  await aws.stop();
  rmSync(dir, { recursive: true, force: true });
});

const input = (bodies: object[]) => bodies.map((b, i) => ({ body: JSON.stringify(b), source: `#${i + 1}` }));

describe('consume', () => {
  it('records, deletes and returns up to N messages, leaving the rest', async () => {
    await produce(aws.clients, { queue: 'c-basic', count: 25 });
    const r = await consume(aws.clients, { queue: 'c-basic', count: 10, ledgerTable: 'c-ledger', waitSeconds: 0 });
    expect(r).toMatchObject({ recorded: 10, duplicates: 0, deleted: 10, failed: 0 });
    expect(r.messages.every((m) => m.key === m.messageId && m.receiveCount === 1 && m.sentAt)).toBe(true);
    const { url } = await aws.queues.resolve('c-basic');
    expect((await aws.depth(url)).visible).toBe(15);
    const shown = await showLedger(aws.clients, { ledgerTable: 'c-ledger' });
    expect(shown.total).toBe(10);
    expect(new Set(shown.items.map((i) => i.messageId))).toEqual(new Set(r.messages.map((m) => m.messageId)));
  });

  it('stops when the queue stays empty for one wait', async () => {
    await produce(aws.clients, { queue: 'c-short', count: 3 });
    const r = await consume(aws.clients, { queue: 'c-short', count: 100, ledgerTable: 'c-ledger', waitSeconds: 1 });
    expect(r.messages).toHaveLength(3);
  });

  // The 20 s wait is for the first message: with the queue emptied, an empty receive and its counters end the run.
  it('ends when it has emptied the queue: one more receive and a look at the counters, no second wait', async () => {
    await produce(aws.clients, { queue: 'c-drained', count: 5 });
    const r = await consume(aws.clients, { queue: 'c-drained', count: 100, ledgerTable: 'c-ledger', waitSeconds: 20 });
    expect(r).toMatchObject({ taken: 5, recorded: 5, deleted: 5, receives: 2 });
  }, 15_000);

  it('counts a key already in the ledger as a duplicate, and still deletes it', async () => {
    await produce(aws.clients, { queue: 'c-dup', inputs: input([{ orderId: 'A' }, { orderId: 'B' }, { orderId: 'A' }]) });
    const r = await consume(aws.clients, { queue: 'c-dup', count: 3, ledgerTable: 'c-ledger-dup', key: 'orderId', waitSeconds: 0 });
    expect(r).toMatchObject({ recorded: 2, duplicates: 1, deleted: 3 });
    expect(r.messages.find((m) => m.status === 'duplicate')?.key).toBe('A');
  });

  it('leaves a message whose key cannot be read on the queue and says why', async () => {
    await produce(aws.clients, { queue: 'c-nokey', inputs: [{ body: 'not json', source: '#1' }] });
    const r = await consume(aws.clients, { queue: 'c-nokey', count: 1, ledgerTable: 'c-ledger', key: 'orderId', waitSeconds: 0 });
    expect(r.failed).toBe(1);
    expect(r.messages[0]).toMatchObject({
      status: 'failed',
      deleted: false,
      error: expect.stringMatching(/key field "orderId" is missing/),
    });
    const { url } = await aws.queues.resolve('c-nokey');
    const depth = await aws.depth(url);
    expect(depth.visible + depth.inFlight).toBe(1);
  });

  it('peeks without recording or deleting, and the messages are visible again at once', async () => {
    await produce(aws.clients, { queue: 'c-peek', count: 7 });
    const r = await consume(aws.clients, { queue: 'c-peek', count: 7, peek: true, ledgerTable: 'c-ledger-peek', waitSeconds: 0 });
    expect(r.messages).toHaveLength(7);
    expect(new Set(r.messages.map((m) => m.messageId)).size).toBe(7);
    expect(r.messages.every((m) => m.status === 'peeked' && !m.deleted)).toBe(true);
    const { url } = await aws.queues.resolve('c-peek');
    expect(await aws.depth(url)).toEqual({ visible: 7, inFlight: 0 });
    expect(await new Ledger(await aws.clients.dynamodb(), 'c-ledger-peek').exists()).toBe(false);
  });

  it('writes every message to --out as NDJSON', async () => {
    await produce(aws.clients, { queue: 'c-out', count: 4 });
    const out = join(dir, 'export.ndjson');
    const r = await consume(aws.clients, { queue: 'c-out', count: 4, ledgerTable: 'c-ledger', out, waitSeconds: 0 });
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.messageId).sort()).toEqual(r.messages.map((m) => m.messageId).sort());
    expect(JSON.parse(lines[0].body).eventType).toBe('OrderCreated');
  });

  it('refuses an unknown queue instead of creating it', async () => {
    await expect(consume(aws.clients, { queue: 'c-typo', count: 1, ledgerTable: 'c-ledger' })).rejects.toBeInstanceOf(QueueNotFoundError);
    await expect(aws.queues.resolve('c-typo')).rejects.toBeInstanceOf(QueueNotFoundError);
  });
});

describe('show and clear', () => {
  it('lists the first N (all of a small table, newest first, with counts), and clear deletes every record across batches of 25', async () => {
    const ledger = new Ledger(await aws.clients.dynamodb(), 'sc-ledger');
    await ledger.create();
    for (let i = 0; i < 60; i++) {
      await ledger.recordIfAbsent({
        consumer: 'q',
        key: `k${i}`,
        status: i % 3 === 0 ? 'INPROGRESS' : 'COMPLETED',
        queue: 'q',
        messageId: `m${i}`,
        updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      });
    }
    const all = await showLedger(aws.clients, { ledgerTable: 'sc-ledger', limit: 100 });
    expect(all).toMatchObject({ complete: true, total: 60, counts: { COMPLETED: 40, INPROGRESS: 20 } });
    expect(all.items.slice(0, 5).map((i) => i.key)).toEqual(['k59', 'k58', 'k57', 'k56', 'k55']);
    const first = await showLedger(aws.clients, { ledgerTable: 'sc-ledger', limit: 5 });
    expect(first).toMatchObject({ complete: false, pagesRead: 1 });
    expect(first.items).toHaveLength(5);
    const only = await showLedger(aws.clients, { ledgerTable: 'sc-ledger', status: 'INPROGRESS', limit: 100 });
    expect(only.items).toHaveLength(20);
    let progress = 0;
    const cleared = await clearLedger(aws.clients, { ledgerTable: 'sc-ledger', onProgress: (n) => (progress = n) });
    expect(cleared.deleted).toBe(60);
    expect(progress).toBe(60);
    expect((await showLedger(aws.clients, { ledgerTable: 'sc-ledger' })).total).toBe(0);
  });
});
