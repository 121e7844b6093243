import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { produce } from '../../src/features/produce/produce.js';
import { setupTopology } from '../../src/pipeline/converge.js';
import { parseTopology } from '../../src/core/topology.js';
import { processSqs } from '../../src/features/process/runner.js';
import { createS3Sink } from '../../src/features/process/sinks/s3.js';
import { spySink } from '../helpers/spySink.js';
import { showLedger } from '../../src/features/ledger/ledgerOps.js';
import { Ledger } from '../../src/aws/ledger.js';
import { ObjectStore } from '../../src/aws/objects.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());

async function queue(name: string, extra: Record<string, unknown> = {}) {
  const { config } = parseTopology({ queues: [{ name, visibilityTimeout: 5, ...extra }] });
  await setupTopology(aws.clients, config!);
  return aws.queues.resolve(name);
}
const send = (q: string, bodies: string[]) =>
  produce(aws.clients, { queue: q, inputs: bodies.map((body, i) => ({ body, source: `#${i}` })) });

async function listKeys(bucket: string): Promise<string[]> {
  const out = await (await aws.clients.s3()).send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key ?? '');
}

describe('process-sqs', () => {
  it('writes each business key once, deletes everything, and counts duplicates', async () => {
    await queue('pp-dups');
    await new ObjectStore(await aws.clients.s3()).createBucket('pp-dups');
    const bodies = ['A', 'B', 'A', 'C', 'B', 'A'].map((id) => JSON.stringify({ orderId: id, total: 1 }));
    await send('pp-dups', bodies);
    const sink = createS3Sink({ s3: await aws.clients.s3(), bucket: 'pp-dups' });
    const r = await processSqs(aws.clients, {
      queue: 'pp-dups',
      ledgerTable: 'pp-ledger',
      key: 'orderId',
      sinks: [sink],
      drain: true,
      waitSeconds: 0,
    });
    expect(r.metrics).toMatchObject({ MessagesSaved: 3, DuplicateMessages: 3, MessagesDeleted: 6, InvalidMessages: 0 });
    expect((await listKeys('pp-dups')).map((k) => k.split('/').pop()).sort()).toEqual(['A.json', 'B.json', 'C.json']);
    expect(await aws.depth((await aws.queues.resolve('pp-dups')).url)).toEqual({ visible: 0, inFlight: 0 });
    const ledger = await showLedger(aws.clients, { ledgerTable: 'pp-ledger' });
    expect(ledger.counts).toEqual({ COMPLETED: 3 });
  });

  it('sends poison to the DLQ with the body byte for byte, and processes the rest', async () => {
    const q = await queue('pp-poison');
    const weird = '{"orderId": "x", "total": 1, "note": "ünïcödé  spaces"  ';
    await send('pp-poison', [JSON.stringify({ orderId: 'ok', total: 2 }), weird, 'plain text']);
    const r = await processSqs(aws.clients, { queue: 'pp-poison', ledgerTable: 'pp-ledger', key: 'orderId', drain: true, waitSeconds: 0 });
    expect(r).toMatchObject({
      dlq: 'pp-poison-dlq',
      metrics: { MessagesSaved: 1, InvalidMessages: 2, MessagesToDLQ: 2, MessagesDeleted: 3 },
    });
    const dead = await aws.drain((await aws.queues.resolve('pp-poison-dlq')).url);
    expect(dead.map((d) => d.body).sort()).toEqual([weird, 'plain text'].sort());
    expect(await aws.depth(q.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('unwraps SNS notification envelopes and keys on the inner message', async () => {
    await queue('pp-sns');
    const envelope = {
      Type: 'Notification',
      MessageId: 'n-1',
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:orders',
      Message: JSON.stringify({ orderId: 'sns-1', total: 5 }),
    };
    await send('pp-sns', [JSON.stringify(envelope), JSON.stringify({ orderId: 'sns-1', total: 5 })]);
    const seen: unknown[] = [];
    const r = await processSqs(aws.clients, {
      queue: 'pp-sns',
      ledgerTable: 'pp-ledger',
      key: 'orderId',
      sinks: [spySink('spy', (m) => void seen.push(m.body))],
      drain: true,
      waitSeconds: 0,
    });
    expect(r.metrics).toMatchObject({ MessagesSaved: 1, DuplicateMessages: 1, PayloadMismatch: 0 });
    expect(seen).toEqual([{ orderId: 'sns-1', total: 5 }]);
  });

  it('flags the same key with a different payload instead of silently skipping it', async () => {
    await queue('pp-mismatch');
    await send('pp-mismatch', [JSON.stringify({ orderId: 'm-1', total: 1 })]);
    await processSqs(aws.clients, { queue: 'pp-mismatch', ledgerTable: 'pp-ledger', key: 'orderId', drain: true, waitSeconds: 0 });
    await send('pp-mismatch', [JSON.stringify({ orderId: 'm-1', total: 999 })]);
    const r = await processSqs(aws.clients, {
      queue: 'pp-mismatch',
      ledgerTable: 'pp-ledger',
      key: 'orderId',
      drain: true,
      waitSeconds: 0,
    });
    expect(r.metrics).toMatchObject({ DuplicateMessages: 1, PayloadMismatch: 1 });
  });

  it('retries through a sink outage and then succeeds, leaving no INPROGRESS rows', async () => {
    await queue('pp-outage');
    await send(
      'pp-outage',
      [1, 2, 3].map((i) => JSON.stringify({ orderId: `o-${i}`, total: i })),
    );
    const sink = createS3Sink({ s3: await aws.clients.s3(), bucket: 'pp-outage-bucket' }); // the bucket does not exist yet
    const first = await processSqs(aws.clients, {
      queue: 'pp-outage',
      ledgerTable: 'pp-outage-ledger',
      key: 'orderId',
      sinks: [sink],
      drain: true,
      waitSeconds: 0,
    });
    expect(first.metrics).toMatchObject({ MessagesSaved: 0, MessagesRetried: 3, 'SinkError.s3': 3 });
    // Released, not deleted: the record keeps what an attempt finished (its tasks), and says so.
    expect((await showLedger(aws.clients, { ledgerTable: 'pp-outage-ledger' })).counts).toEqual({ RELEASED: 3 });
    await new ObjectStore(await aws.clients.s3()).createBucket('pp-outage-bucket');
    let saved = 0;
    for (let i = 0; i < 20 && saved < 3; i++) {
      const r = await processSqs(aws.clients, {
        queue: 'pp-outage',
        ledgerTable: 'pp-outage-ledger',
        key: 'orderId',
        sinks: [sink],
        drain: true,
        waitSeconds: 1,
      });
      saved += r.metrics.MessagesSaved!;
    }
    expect(saved).toBe(3);
    expect(await listKeys('pp-outage-bucket')).toHaveLength(3);
    expect((await showLedger(aws.clients, { ledgerTable: 'pp-outage-ledger' })).counts).toEqual({ COMPLETED: 3 });
  });

  it('never writes a key twice with two runs on one queue at once', async () => {
    await queue('pp-race', { visibilityTimeout: 30 });
    const bodies = Array.from({ length: 200 }, (_, i) => JSON.stringify({ orderId: `r-${i % 150}`, total: i }));
    await send('pp-race', bodies);
    const writes = new Map<string, number>();
    const spy = spySink('count', (m) => void writes.set(m.key, (writes.get(m.key) ?? 0) + 1));
    const run = () =>
      processSqs(aws.clients, {
        queue: 'pp-race',
        ledgerTable: 'pp-race-ledger',
        key: 'orderId',
        sinks: [spy],
        drain: true,
        waitSeconds: 1,
        concurrency: 3,
      });
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.handled + b.handled).toBe(200);
    expect(writes.size).toBe(150);
    expect([...writes.values()].every((n) => n === 1)).toBe(true);
    expect(a.metrics.MessagesSaved! + b.metrics.MessagesSaved!).toBe(150);
  });

  it('stops the rest of a FIFO group after a failure while other groups continue', async () => {
    await queue('pp-fifo.fifo', { contentBasedDeduplication: true });
    const bodies = ['g1:1', 'g1:2', 'g1:3', 'g2:1', 'g2:2'].map((s) => JSON.stringify({ orderId: s, group: s.split(':')[0] }));
    await produce(aws.clients, { queue: 'pp-fifo.fifo', inputs: bodies.map((body, i) => ({ body, source: `#${i}` })), groupBy: 'group' });
    const order: string[] = [];
    let failedOnce = false;
    const flaky = spySink('flaky', (m) => {
      const id = (m.body as { orderId: string }).orderId;
      if (id === 'g1:2' && !failedOnce) {
        failedOnce = true;
        throw new Error('transient');
      }
      order.push(id);
    });
    let r = await processSqs(aws.clients, {
      queue: 'pp-fifo.fifo',
      ledgerTable: 'pp-ledger',
      key: 'orderId',
      sinks: [flaky],
      drain: true,
      waitSeconds: 0,
    });
    expect(order).toContain('g2:2');
    expect(order).not.toContain('g1:3');
    for (let i = 0; i < 10 && order.length < 5; i++) {
      r = await processSqs(aws.clients, {
        queue: 'pp-fifo.fifo',
        ledgerTable: 'pp-ledger',
        key: 'orderId',
        sinks: [flaky],
        drain: true,
        waitSeconds: 1,
      });
    }
    expect(order.filter((o) => o.startsWith('g1'))).toEqual(['g1:1', 'g1:2', 'g1:3']);
    expect(order.filter((o) => o.startsWith('g2'))).toEqual(['g2:1', 'g2:2']);
    expect(r.metrics.InvalidMessages).toBe(0);
  });
});

describe('the ledger claim', () => {
  it('is owner-checked: a worker whose lease ran out cannot complete over its successor', async () => {
    const ledger = new Ledger(await aws.clients.dynamodb(), 'pp-claims');
    await ledger.create();
    const base = { consumer: 'q', key: 'k', payloadHash: 'h', queue: 'q', messageId: 'm', receiveCount: 1, ttlSeconds: 3600 };
    expect(await ledger.claim({ ...base, owner: 'A', leaseMs: 1 })).toEqual({ kind: 'claimed', tasksDone: [] });
    await new Promise((r) => setTimeout(r, 10));
    expect(await ledger.claim({ ...base, owner: 'B', leaseMs: 60_000 })).toEqual({ kind: 'claimed', tasksDone: [] });
    expect(await ledger.claim({ ...base, owner: 'C', leaseMs: 60_000 })).toMatchObject({ kind: 'inflight', owner: 'B' });
    expect(await ledger.complete(base, 'A', 3600)).toBe(false);
    expect(await ledger.release(base, 'A')).toBe(false);
    expect(await ledger.complete(base, 'B', 3600)).toBe(true);
    expect(await ledger.claim({ ...base, owner: 'C', leaseMs: 60_000 })).toEqual({ kind: 'duplicate', payloadMismatch: false });
    expect(await ledger.claim({ ...base, payloadHash: 'other', owner: 'C', leaseMs: 60_000 })).toEqual({
      kind: 'duplicate',
      payloadMismatch: true,
    });
  });

  it('keeps the tasks a released or crashed attempt finished, and forgets them after the TTL', async () => {
    const ledger = new Ledger(await aws.clients.dynamodb(), 'pp-claims');
    const base = { consumer: 'q', key: 't', payloadHash: 'h', queue: 'q', messageId: 'm', receiveCount: 1, ttlSeconds: 3600 };
    await ledger.claim({ ...base, owner: 'A', leaseMs: 60_000 });
    expect(await ledger.markTaskDone(base, 'A', 'jira')).toBe(true);
    expect(await ledger.markTaskDone(base, 'B', 'slack')).toBe(false);
    expect(await ledger.release(base, 'A')).toBe(true);
    expect((await ledger.get(base))?.status).toBe('RELEASED');
    expect(await ledger.claim({ ...base, owner: 'B', leaseMs: 60_000 })).toEqual({ kind: 'claimed', tasksDone: ['jira'] });
    await ledger.complete(base, 'B', -10); // already past its TTL
    expect(await ledger.claim({ ...base, owner: 'C', leaseMs: 60_000 })).toEqual({ kind: 'claimed', tasksDone: [] });
  });

  it('a first claim writes the whole record; of many racing for a new key exactly one wins', async () => {
    const ledger = new Ledger(await aws.clients.dynamodb(), 'pp-claims');
    const base = { consumer: 'q', key: 'race', payloadHash: 'h', queue: 'q', messageId: 'm', receiveCount: 3, ttlSeconds: 3600 };
    const before = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => ledger.claim({ ...base, owner: `w${i}`, leaseMs: 60_000 })));
    const winners = outcomes.flatMap((o, i) => (o.kind === 'claimed' ? [`w${i}`] : []));
    expect(winners).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'inflight')).toHaveLength(7);
    const record = await ledger.get(base);
    expect(record).toMatchObject({
      id: 'q#race',
      consumer: 'q',
      key: 'race',
      status: 'INPROGRESS',
      owner: winners[0],
      payloadHash: 'h',
      queue: 'q',
      messageId: 'm',
      receiveCount: 3,
      source: 'process-sqs',
    });
    expect(record!.leaseExpiresAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(record!.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) + 3600);
  });

  it('a completed record past its TTL (not swept yet) is claimed again, not taken for a duplicate', async () => {
    const ledger = new Ledger(await aws.clients.dynamodb(), 'pp-claims');
    const base = { consumer: 'q', key: 'stale', payloadHash: 'h', queue: 'q', messageId: 'm', receiveCount: 1, ttlSeconds: 3600 };
    await ledger.claim({ ...base, owner: 'A', leaseMs: 60_000 });
    expect(await ledger.complete(base, 'A', -10)).toBe(true);
    expect(await ledger.claim({ ...base, owner: 'B', leaseMs: 60_000 })).toEqual({ kind: 'claimed', tasksDone: [] });
    expect(await ledger.get(base)).toMatchObject({ status: 'INPROGRESS', owner: 'B' });
  });
});

void GetObjectCommand;
