/**
 * One message intake: an SNS-fed order read by consume and by process-sqs gives the same
 * key, the same schema verdict and the same payload hash, so one's ledger record is the
 * other's duplicate under one consumer; by default each subscriber queue is its own consumer.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { setupTopology } from '../../src/pipeline/converge.js';
import { parseTopology } from '../../src/core/topology.js';
import { produce } from '../../src/features/produce/produce.js';
import { consume } from '../../src/features/consume/consume.js';
import { processSqs } from '../../src/features/process/runner.js';
import { showLedger } from '../../src/features/ledger/ledgerOps.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
  // As `sqsops setup --queue in-fanA in-fanB --topic in-orders`: enveloped delivery to both.
  const { config, problems } = parseTopology({
    queues: ['in-fanA', 'in-fanB'],
    topics: [{ name: 'in-orders', subscriptions: [{ queue: 'in-fanA' }, { queue: 'in-fanB' }] }],
  });
  expect(problems).toEqual([]);
  await setupTopology(aws.clients, config!);
});
afterAll(async () => aws.stop());

const TABLE = 'in-ledger';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const publish = (count: number, seed: number, invalid = 0) =>
  produce(aws.clients, { queue: 'unused', topic: 'in-orders', count, seed, invalid });
const take = (queue: string, count: number, consumer?: string) =>
  consume(aws.clients, { queue, count, ledgerTable: TABLE, key: 'orderId', waitSeconds: 0, ...(consumer ? { consumer } : {}) });
const processQueue = (queue: string, consumer?: string) =>
  processSqs(aws.clients, { queue, ledgerTable: TABLE, key: 'orderId', drain: true, waitSeconds: 0, ...(consumer ? { consumer } : {}) });
const records = async (consumer: string) =>
  new Map((await showLedger(aws.clients, { ledgerTable: TABLE, consumer, limit: 1000 })).items.map((i) => [i.key, i.payloadHash]));
/** The SNS message id inside an enveloped body: the same in every subscriber queue. */
const snsId = (body: string) => (JSON.parse(body) as { MessageId: string }).MessageId;

describe('one intake for consume and process-sqs', () => {
  it('keys, checks and hashes an SNS-fed message the same in both', async () => {
    const produced = await publish(12, 11, 0.4);
    const invalid = produced.injected.invalid;
    expect(invalid).toBeGreaterThan(0);
    const taken = await take('in-fanA', 12);
    const processed = await processQueue('in-fanB');

    // The schema verdict: the same messages fail in both (the template mark travels in the envelope).
    expect(taken).toMatchObject({ taken: 12, recorded: 12 - invalid, failed: invalid });
    expect(processed.metrics).toMatchObject({ MessagesSaved: 12 - invalid, InvalidMessages: invalid, MessagesToDLQ: invalid });
    const failed = taken.messages.filter((m) => m.status === 'failed');
    expect(failed.some((m) => m.error?.startsWith('schema: order@1'))).toBe(true);
    const dead = await aws.drain((await aws.queues.resolve(processed.dlq!)).url);
    expect(new Set(dead.map((d) => snsId(d.body)))).toEqual(new Set(failed.map((m) => snsId(m.body))));

    // The key and the hash: each command's records, by key, hash what the producer sent (inside the envelope).
    const recorded = taken.messages.filter((m) => m.status === 'recorded');
    const sent = recorded.map((m) => (JSON.parse(m.body) as { Message: string }).Message);
    expect(recorded.map((m) => m.key)).toEqual(sent.map((text) => (JSON.parse(text) as { orderId: string }).orderId));
    const inner = new Map(recorded.map((m, i) => [m.key, sha(sent[i]!)]));
    expect(await records('in-fanA')).toEqual(inner);
    expect(await records('in-fanB')).toEqual(inner);
    await aws.drain((await aws.queues.resolve('in-fanA')).url, 0);
  });

  it('under one --consumer, the second command sees the first one’s records as duplicates', async () => {
    await publish(4, 7);
    expect(await take('in-fanA', 4, 'shared')).toMatchObject({ recorded: 4, duplicates: 0, deleted: 4 });
    const second = await processQueue('in-fanB', 'shared');
    expect(second.metrics).toMatchObject({ MessagesSaved: 0, DuplicateMessages: 4, PayloadMismatch: 0, MessagesDeleted: 4 });

    await publish(3, 8);
    expect((await processQueue('in-fanA', 'shared-2')).metrics).toMatchObject({ MessagesSaved: 3, DuplicateMessages: 0 });
    expect(await take('in-fanB', 3, 'shared-2')).toMatchObject({ recorded: 0, duplicates: 3, deleted: 3 });
  });

  it('by default each subscriber queue is its own consumer: each queue takes each event once', async () => {
    await publish(4, 9);
    expect(await take('in-fanA', 4)).toMatchObject({ consumer: 'in-fanA', recorded: 4 });
    expect((await processQueue('in-fanB')).metrics).toMatchObject({ MessagesSaved: 4, DuplicateMessages: 0 });

    // The same events again: on each queue the other command sees them as done.
    await publish(4, 9);
    expect((await processQueue('in-fanA')).metrics).toMatchObject({ MessagesSaved: 0, DuplicateMessages: 4, PayloadMismatch: 0 });
    expect(await take('in-fanB', 4)).toMatchObject({ consumer: 'in-fanB', recorded: 0, duplicates: 4 });
  });
});
