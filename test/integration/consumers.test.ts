/**
 * The ledger per consumer, against the real emulators: two subscribers of one topic each
 * process every event once; a consumer named on purpose spans queues; consume shares the
 * rule; records from before consumers still count (read only where the table may hold
 * them); show and clear filter by consumer; the Lambda takes the consumer from each
 * record's event source.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { FORMAT_ID, Ledger } from '../../src/aws/ledger.js';
import { parseTopology } from '../../src/core/topology.js';
import { outcomeIdentity } from '../../src/core/metrics.js';
import { setupTopology } from '../../src/pipeline/converge.js';
import { produce } from '../../src/features/produce/produce.js';
import { processSqs } from '../../src/features/process/runner.js';
import { consume } from '../../src/features/consume/consume.js';
import { clearLedger, showLedger } from '../../src/features/ledger/ledgerOps.js';
import { createHandler, type SqsEvent } from '../../src/lambda.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());

const orders = (ids: string[]) => ids.map((orderId, i) => ({ body: JSON.stringify({ orderId }), source: `#${i}` }));
const IDS = ['o-1', 'o-2', 'o-3', 'o-4'];

/** One process-sqs run over what is on the queue now; its counters must add up. */
async function run(queue: string, ledgerTable: string, extra: { consumer?: string } = {}) {
  const r = await processSqs(aws.clients, { queue, ledgerTable, key: 'orderId', drain: true, waitSeconds: 0, ...extra });
  expect(outcomeIdentity(r.metrics).holds, outcomeIdentity(r.metrics).line).toBe(true);
  return r;
}

async function queues(names: string[]) {
  const { config } = parseTopology({ queues: names.map((name) => ({ name, dlq: false })) });
  await setupTopology(aws.clients, config!);
}

/** Writes a record as the ledger wrote it before consumers: the bare key as id, no consumer. */
async function legacyRecord(table: string, key: string, fields: Record<string, unknown>) {
  const doc = await aws.clients.dynamodb();
  const updatedAt = new Date(0).toISOString();
  const item = { id: key, queue: 'before', messageId: `m-${key}`, updatedAt, ...fields };
  await doc.send(new PutCommand({ TableName: table, Item: item }));
}

describe('two subscribers of one topic', () => {
  it('each process every event once, and each takes its own redelivery for a duplicate', async () => {
    const { config } = parseTopology({
      queues: [
        { name: 'cs-billing', dlq: false },
        { name: 'cs-shipping', dlq: false },
      ],
      topics: [{ name: 'cs-orders', subscriptions: [{ queue: 'cs-billing' }, { queue: 'cs-shipping' }] }],
    });
    await setupTopology(aws.clients, config!);
    await produce(aws.clients, { queue: 'unused', topic: 'cs-orders', inputs: orders(IDS) });

    const billing = await run('cs-billing', 'cs-ledger');
    const shipping = await run('cs-shipping', 'cs-ledger');
    expect(billing).toMatchObject({ consumer: 'cs-billing', metrics: { MessagesReceived: 4, MessagesSaved: 4, DuplicateMessages: 0 } });
    expect(shipping).toMatchObject({ consumer: 'cs-shipping', metrics: { MessagesReceived: 4, MessagesSaved: 4, DuplicateMessages: 0 } });

    // The same events again (a resend, or SQS delivering twice): each subscriber has done them.
    await produce(aws.clients, { queue: 'unused', topic: 'cs-orders', inputs: orders(IDS) });
    for (const queue of ['cs-billing', 'cs-shipping']) {
      const again = await run(queue, 'cs-ledger');
      expect(again.metrics).toMatchObject({ MessagesReceived: 4, MessagesSaved: 0, DuplicateMessages: 4, MessagesDeleted: 4 });
    }
    const ledger = new Ledger(await aws.clients.dynamodb(), 'cs-ledger');
    expect(await ledger.get({ consumer: 'cs-shipping', key: 'o-1' })).toMatchObject({
      id: 'cs-shipping#o-1',
      consumer: 'cs-shipping',
      key: 'o-1',
      status: 'COMPLETED',
      queue: 'cs-shipping',
    });
    expect((await showLedger(aws.clients, { ledgerTable: 'cs-ledger' })).counts).toEqual({ COMPLETED: 8 });
  });

  it('shares one named consumer between two queues: the second sees duplicates', async () => {
    await queues(['cs-eu', 'cs-us']);
    await produce(aws.clients, { queue: 'cs-eu', inputs: orders(IDS) });
    await produce(aws.clients, { queue: 'cs-us', inputs: orders(IDS) });
    const eu = await run('cs-eu', 'cs-shared-ledger', { consumer: 'billing' });
    const us = await run('cs-us', 'cs-shared-ledger', { consumer: 'billing' });
    expect(eu).toMatchObject({ consumer: 'billing', metrics: { MessagesSaved: 4 } });
    expect(us).toMatchObject({ consumer: 'billing', metrics: { MessagesSaved: 0, DuplicateMessages: 4, MessagesDeleted: 4 } });
    const shown = await showLedger(aws.clients, { ledgerTable: 'cs-shared-ledger' });
    expect(shown.items.map((i) => i.id).sort()).toEqual(IDS.map((k) => `billing#${k}`));
  });

  it('keeps a key with a # apart from a consumer named like its first part', async () => {
    await queues(['cs-hash']);
    await produce(aws.clients, { queue: 'cs-hash', inputs: orders(['a#b']) });
    // Consumer "a", key "b" has the id a#b: the bare key "a#b" of consumer cs-hash must not read it as its own.
    await run('cs-hash', 'cs-hash-ledger', { consumer: 'a' });
    await produce(aws.clients, { queue: 'cs-hash', inputs: [{ body: JSON.stringify({ orderId: 'b' }), source: '#0' }] });
    expect((await run('cs-hash', 'cs-hash-ledger', { consumer: 'a' })).metrics.MessagesSaved).toBe(1);
    await produce(aws.clients, { queue: 'cs-hash', inputs: orders(['a#b']) });
    expect((await run('cs-hash', 'cs-hash-ledger')).metrics).toMatchObject({ MessagesSaved: 1, DuplicateMessages: 0 });
    const ids = (await showLedger(aws.clients, { ledgerTable: 'cs-hash-ledger' })).items.map((i) => i.id).sort();
    expect(ids).toEqual(['a#a#b', 'a#b', 'cs-hash#a#b']);
  });
});

describe('consume', () => {
  it('records under the queue it takes from, or the consumer named, as process-sqs does', async () => {
    await queues(['cs-c1', 'cs-c2']);
    await produce(aws.clients, { queue: 'cs-c1', inputs: orders(IDS) });
    expect((await run('cs-c1', 'cs-consume-ledger')).metrics.MessagesSaved).toBe(4);
    await produce(aws.clients, { queue: 'cs-c2', inputs: orders(IDS) });
    const base = { ledgerTable: 'cs-consume-ledger', key: 'orderId', waitSeconds: 0 };
    // Another queue: another consumer, so not duplicates of cs-c1's.
    const own = await consume(aws.clients, { ...base, queue: 'cs-c2', count: 2 });
    expect(own).toMatchObject({ consumer: 'cs-c2', recorded: 2, duplicates: 0, deleted: 2 });
    // Named as cs-c1's consumer: what process-sqs completed there is a duplicate.
    const shared = await consume(aws.clients, { ...base, queue: 'cs-c2', count: 2, consumer: 'cs-c1' });
    expect(shared).toMatchObject({ consumer: 'cs-c1', recorded: 0, duplicates: 2, deleted: 2 });
  });

  it('refuses a consumer name with a # before it touches the queue', async () => {
    const bad = consume(aws.clients, { queue: 'cs-c1', count: 1, ledgerTable: 'cs-consume-ledger', consumer: 'a#b' });
    await expect(bad).rejects.toThrow('--consumer "a#b" is not a consumer name');
  });
});

describe('records from before consumers', () => {
  it('count for every consumer: done is a duplicate, a live lease is left, an expired one is processed', async () => {
    const table = 'cs-legacy-ledger';
    await new Ledger(await aws.clients.dynamodb(), table).create();
    const future = Math.floor(Date.now() / 1000) + 3600;
    await legacyRecord(table, 'L-done', { status: 'COMPLETED', expiresAt: future, payloadHash: 'old' });
    await legacyRecord(table, 'L-held', { status: 'INPROGRESS', owner: 'old-worker', leaseExpiresAt: Date.now() + 600_000 });
    await legacyRecord(table, 'L-expired', { status: 'COMPLETED', expiresAt: Math.floor(Date.now() / 1000) - 60 });
    await queues(['cs-legacy-a', 'cs-legacy-b']);
    const ids = ['L-done', 'L-held', 'L-expired', 'L-new'];
    await produce(aws.clients, { queue: 'cs-legacy-a', inputs: orders(ids) });
    await produce(aws.clients, { queue: 'cs-legacy-b', inputs: orders(ids) });

    for (const queue of ['cs-legacy-a', 'cs-legacy-b']) {
      const r = await run(queue, table);
      // L-done is a duplicate (its payload differs: the old hash is kept as evidence), L-held deferred.
      expect(r.metrics).toMatchObject({ MessagesSaved: 2, DuplicateMessages: 1, MessagesDeferred: 1, PayloadMismatch: 1 });
    }
    const ledger = new Ledger(await aws.clients.dynamodb(), table);
    // A done key is copied into the consumer's own record; the held one is let go, not taken.
    expect(await ledger.get({ consumer: 'cs-legacy-a', key: 'L-done' })).toMatchObject({ status: 'COMPLETED' });
    expect(await ledger.get({ consumer: 'cs-legacy-a', key: 'L-held' })).toMatchObject({ status: 'RELEASED' });
    expect(await ledger.getById('L-held')).toMatchObject({ status: 'INPROGRESS', owner: 'old-worker' });
    expect(await aws.depth((await aws.queues.resolve('cs-legacy-a')).url)).toEqual({ visible: 0, inFlight: 1 });

    // consume reads them the same way.
    await queues(['cs-legacy-c']);
    await produce(aws.clients, { queue: 'cs-legacy-c', inputs: orders(['L-done']) });
    const taken = await consume(aws.clients, { queue: 'cs-legacy-c', count: 1, waitSeconds: 0, ledgerTable: table, key: 'orderId' });
    expect(taken).toMatchObject({ recorded: 0, duplicates: 1, deleted: 1 });
  });

  it('show lists them as every consumer’s; show and clear --consumer see one consumer only', async () => {
    const table = 'cs-legacy-ledger';
    const all = await showLedger(aws.clients, { ledgerTable: table, limit: 100 });
    const legacy = all.items.filter((i) => i.consumer === undefined).map((i) => i.key);
    expect(legacy.sort()).toEqual(['L-done', 'L-expired', 'L-held']);
    const a = await showLedger(aws.clients, { ledgerTable: table, consumer: 'cs-legacy-a' });
    expect(a.consumer).toBe('cs-legacy-a');
    expect(a.total).toBe(4);
    expect(a.counts).toEqual({ COMPLETED: 3, RELEASED: 1 });
    expect(a.items.every((i) => i.consumer === 'cs-legacy-a')).toBe(true);

    expect(await clearLedger(aws.clients, { ledgerTable: table, consumer: 'cs-legacy-a' })).toMatchObject({ deleted: 4 });
    const left = await showLedger(aws.clients, { ledgerTable: table, limit: 100 });
    expect(left.items.some((i) => i.consumer === 'cs-legacy-a')).toBe(false);
    expect(left.items.filter((i) => i.consumer === 'cs-legacy-b')).toHaveLength(4);
    expect(left.items.filter((i) => i.consumer === undefined)).toHaveLength(3);
    await expect(showLedger(aws.clients, { ledgerTable: table, consumer: 'no#pe' })).rejects.toThrow('is not a consumer name');
  });
});

describe('the format record', () => {
  it('marks a table that was empty at the first claim: no record from before consumers is read there', async () => {
    const table = 'cs-format-ledger';
    await queues(['cs-format']);
    await produce(aws.clients, { queue: 'cs-format', inputs: orders(['F-1']) });
    expect((await run('cs-format', table)).metrics.MessagesSaved).toBe(1);
    const ledger = new Ledger(await aws.clients.dynamodb(), table);
    expect(await ledger.getById(FORMAT_ID)).toMatchObject({ format: 'consumer#key' });
    // Only an old worker still running could write this: it is not read (stop old workers first).
    await legacyRecord(table, 'F-2', { status: 'COMPLETED', expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    await produce(aws.clients, { queue: 'cs-format', inputs: orders(['F-2']) });
    expect((await run('cs-format', table)).metrics.MessagesSaved).toBe(1);
    // show and clear count records, not the format record.
    expect((await showLedger(aws.clients, { ledgerTable: table })).total).toBe(3);
    expect((await clearLedger(aws.clients, { ledgerTable: table })).deleted).toBe(3);
    expect((await showLedger(aws.clients, { ledgerTable: table })).total).toBe(0);
    expect(await ledger.getById(FORMAT_ID)).toBeDefined();
  });

  it('is written by a whole clear of a table that held records from before consumers, not by clear --consumer', async () => {
    const table = 'cs-format-old';
    await new Ledger(await aws.clients.dynamodb(), table).create();
    await legacyRecord(table, 'G-1', { status: 'COMPLETED' });
    await clearLedger(aws.clients, { ledgerTable: table, consumer: 'someone' });
    const ledger = new Ledger(await aws.clients.dynamodb(), table);
    expect(await ledger.getById(FORMAT_ID)).toBeUndefined();
    await queues(['cs-format-old']);
    await produce(aws.clients, { queue: 'cs-format-old', inputs: orders(['G-1']) });
    expect((await run('cs-format-old', table)).metrics.DuplicateMessages).toBe(1);
    expect(await ledger.getById(FORMAT_ID)).toBeUndefined();
    expect((await clearLedger(aws.clients, { ledgerTable: table })).deleted).toBe(2);
    expect(await ledger.getById(FORMAT_ID)).toBeDefined();
  });
});

describe('the Lambda', () => {
  const received = async (queue: string, ids: string[]): Promise<Message[]> => {
    await queues([queue]);
    await produce(aws.clients, { queue, inputs: orders(ids) });
    const url = (await aws.queues.resolve(queue)).url;
    const out: Message[] = [];
    for (let i = 0; i < 5 && out.length < ids.length; i++) {
      out.push(...(await aws.queues.receive(url, { max: 10, waitSeconds: 0, visibilityTimeout: 60 })));
    }
    return out;
  };
  const record = (m: Message, queue: string): SqsEvent['Records'][number] => ({
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body!,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: m.Attributes?.SentTimestamp },
    messageAttributes: {},
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
  });
  const envFor = (table: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    AWS_ENDPOINT_URL: aws.local.endpoint,
    AWS_ACCESS_KEY_ID: aws.local.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.local.credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    SQSOPS_LEDGER_TABLE: table,
    SQSOPS_KEY: 'orderId',
    SQSOPS_LOG_FORMAT: 'off',
    SQSOPS_METRICS: 'none',
    ...extra,
  });
  const completed = async (table: string) =>
    (await showLedger(aws.clients, { ledgerTable: table, limit: 100 })).items.map((i) => i.id).sort();

  it('takes the consumer from each record’s event source: two queues, each processes the events once', async () => {
    const table = 'cs-lambda-ledger';
    await new Ledger(await aws.clients.dynamodb(), table).create();
    const handler = createHandler(envFor(table));
    const a = await received('cs-lambda-a', ['E1', 'E2']);
    const b = await received('cs-lambda-b', ['E1', 'E2']);
    expect(await handler({ Records: a.map((m) => record(m, 'cs-lambda-a')) })).toEqual({ batchItemFailures: [] });
    expect(await handler({ Records: b.map((m) => record(m, 'cs-lambda-b')) })).toEqual({ batchItemFailures: [] });
    expect(await completed(table)).toEqual(['cs-lambda-a#E1', 'cs-lambda-a#E2', 'cs-lambda-b#E1', 'cs-lambda-b#E2']);

    // One event carrying both sources (Lambda sends one per queue, but a mixed one is still right): duplicates for each.
    const lines: string[] = [];
    const counted = createHandler(envFor(table, { SQSOPS_METRICS: 'emf' }), (line) => lines.push(line));
    const mixed = [...a.map((m) => record(m, 'cs-lambda-a')), ...b.map((m) => record(m, 'cs-lambda-b'))];
    expect(await counted({ Records: mixed })).toEqual({ batchItemFailures: [] });
    const emf = lines.map((l) => JSON.parse(l) as { Queue: string; DuplicateMessages: number; MessagesSaved: number });
    expect(emf.map((m) => [m.Queue, m.DuplicateMessages, m.MessagesSaved])).toEqual([
      ['cs-lambda-a', 2, 0],
      ['cs-lambda-b', 2, 0],
    ]);
    expect(await completed(table)).toHaveLength(4);
  });

  it('shares one consumer across its event sources when SQSOPS_CONSUMER names it', async () => {
    const table = 'cs-lambda-named';
    await new Ledger(await aws.clients.dynamodb(), table).create();
    const handler = createHandler(envFor(table, { SQSOPS_CONSUMER: 'shipping' }));
    const a = await received('cs-lambda-c', ['N1', 'N2']);
    const b = await received('cs-lambda-d', ['N1', 'N2']);
    await handler({ Records: a.map((m) => record(m, 'cs-lambda-c')) });
    const lines: string[] = [];
    const counted = createHandler(envFor(table, { SQSOPS_CONSUMER: 'shipping', SQSOPS_METRICS: 'emf' }), (l) => lines.push(l));
    expect(await counted({ Records: b.map((m) => record(m, 'cs-lambda-d')) })).toEqual({ batchItemFailures: [] });
    expect(JSON.parse(lines[0]!)).toMatchObject({ DuplicateMessages: 2, MessagesSaved: 0 });
    expect(await completed(table)).toEqual(['shipping#N1', 'shipping#N2']);
  });
});
