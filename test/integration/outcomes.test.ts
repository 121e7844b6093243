/**
 * The numbers add up: every received message lands in exactly one outcome, in
 * process-sqs and in the Lambda, including the cases that used to fall through the
 * counts (a key held by another worker's live lease, a stop, tasks routed to rejects).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { startFaultProxy } from '../helpers/faultProxy.js';
import { createClients } from '../../src/aws/clients.js';
import { Ledger } from '../../src/aws/ledger.js';
import { outcomeIdentity } from '../../src/core/metrics.js';
import { parseTopology } from '../../src/core/topology.js';
import { processSqs } from '../../src/features/process/runner.js';
import { produce } from '../../src/features/produce/produce.js';
import { setupTopology } from '../../src/pipeline/converge.js';
import { openQueue } from '../../src/pipeline/resources.js';
import { createTaskSink } from '../../src/features/tasks/taskSink.js';
import { consume } from '../../src/features/consume/consume.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());

async function queue(name: string) {
  const { config } = parseTopology({ queues: [{ name, visibilityTimeout: 30 }] });
  await setupTopology(aws.clients, config!);
  return aws.queues.resolve(name);
}
const send = (q: string, bodies: string[]) =>
  produce(aws.clients, { queue: q, inputs: bodies.map((body, i) => ({ body, source: `#${i}` })) });
const OUTCOMES = ['MessagesSaved', 'DuplicateMessages', 'InvalidMessages', 'MessagesRetried', 'MessagesDeferred', 'MessagesToRejects'];
const sum = (m: Record<string, number>) => OUTCOMES.reduce((n, k) => n + (m[k] ?? 0), 0);
const leaseBy = (owner: string, queue: string) => ({
  consumer: queue,
  owner,
  leaseMs: 120_000,
  payloadHash: 'x',
  queue,
  messageId: 'm',
  receiveCount: 1,
  ttlSeconds: 600,
});

describe('the outcome counts', () => {
  it('catch every kind of injected poison with the template schema: injected = invalid = to DLQ = DLQ depth', async () => {
    await queue('oc-quick');
    const produced = await produce(aws.clients, { queue: 'oc-quick', count: 100, duplicates: 0.1, invalid: 0.05, seed: 11 });
    // Kinds rotate not-json, missing-key, wrong-type, truncated-json: three or more include wrong-type.
    expect(produced.injected.invalid).toBeGreaterThanOrEqual(3);
    const r = await processSqs(aws.clients, { queue: 'oc-quick', ledgerTable: 'oc-ledger', key: 'orderId', drain: true, waitSeconds: 1 });
    const m = r.metrics;
    expect(m.InvalidMessages).toBe(produced.injected.invalid);
    expect(m.MessagesToDLQ).toBe(produced.injected.invalid);
    expect((await aws.depth((await aws.queues.resolve('oc-quick-dlq')).url)).visible).toBe(produced.injected.invalid);
    expect((m.MessagesSaved ?? 0) + (m.DuplicateMessages ?? 0)).toBe(100 - produced.injected.invalid);
    expect(sum(m)).toBe(m.MessagesReceived);
    expect(outcomeIdentity(m).holds).toBe(true);
    expect(r.schema).toMatch(/^template schemas \(order@1\)/);
  });

  it('lets --no-schema through the wrong-type poison, and says so', async () => {
    await queue('oc-noschema');
    const produced = await produce(aws.clients, { queue: 'oc-noschema', count: 40, invalid: 0.25, seed: 3 });
    const options = { ledgerTable: 'oc-ledger', key: 'orderId', drain: true, waitSeconds: 0, schema: { applied: 'none' } };
    const r = await processSqs(aws.clients, { queue: 'oc-noschema', ...options });
    expect(r.schema).toBe('none');
    // wrong-type bodies are valid JSON with an orderId: without a schema they are saved.
    expect(r.metrics.InvalidMessages).toBeLessThan(produced.injected.invalid);
    expect(sum(r.metrics)).toBe(r.metrics.MessagesReceived);
  });

  it("counts a key held by another worker's live lease as deferred, and leaves its message on the queue", async () => {
    const q = await queue('oc-lease');
    const ledger = new Ledger(await aws.clients.dynamodb(), 'oc-lease-ledger');
    await ledger.create();
    expect(await ledger.claim({ ...leaseBy('another-worker', 'oc-lease'), key: 'HELD' })).toMatchObject({ kind: 'claimed' });
    await send('oc-lease', [JSON.stringify({ orderId: 'HELD' }), JSON.stringify({ orderId: 'FREE' })]);
    const options = { ledgerTable: 'oc-lease-ledger', key: 'orderId', drain: true, waitSeconds: 0 };
    const r = await processSqs(aws.clients, { queue: 'oc-lease', ...options });
    expect(r.metrics).toMatchObject({ MessagesReceived: 2, MessagesSaved: 1, MessagesDeferred: 1, MessagesRetried: 0 });
    expect(r.metrics.MessagesDeleted).toBe(1);
    const line = 'received 2 = saved 1 + duplicates 0 + invalid 0 + retried 0 + deferred 1';
    expect(outcomeIdentity(r.metrics)).toEqual({ holds: true, line });
    expect(await aws.depth(q.url)).toEqual({ visible: 0, inFlight: 1 }); // the other worker's to finish
    expect((await ledger.get({ consumer: 'oc-lease', key: 'HELD' }))?.owner).toBe('another-worker');
  });

  it('hands back what a receive brings after the stop, visible again and counted deferred', async () => {
    const q = await queue('oc-stop');
    await send(
      'oc-stop',
      ['a', 'b', 'c'].map((orderId) => JSON.stringify({ orderId })),
    );
    const proxy = await startFaultProxy(aws.local.endpoint);
    const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: proxy.endpoint, credentials: aws.local.credentials });
    try {
      proxy.addRule({ target: 'AmazonSQS.ReceiveMessage', times: 1, kind: 'hold' });
      const stop = new AbortController();
      const options = { ledgerTable: 'oc-ledger', key: 'orderId', concurrency: 1, waitSeconds: 1, signal: stop.signal };
      const run = processSqs(clients, { queue: 'oc-stop', ...options });
      await proxy.held(); // the messages are received (hidden) but their answer is late
      stop.abort();
      proxy.release();
      const r = await run;
      expect(r.metrics).toMatchObject({ MessagesReceived: 3, MessagesDeferred: 3, MessagesSaved: 0, MessagesDeleted: 0 });
      expect(sum(r.metrics)).toBe(3);
      expect(await aws.depth(q.url)).toEqual({ visible: 3, inFlight: 0 });
    } finally {
      clients.destroy();
      await proxy.close();
    }
  });

  it('counts messages whose task failed as MessagesToRejects, not saved', async () => {
    await queue('oc-tasks');
    await send(
      'oc-tasks',
      ['T1', 'T2'].map((orderId) => JSON.stringify({ orderId })),
    );
    const rejects = { queues: aws.queues, queue: await openQueue(aws.clients, 'oc-tasks-rejects', { createIfLocal: true }) };
    const failing = { name: 'always-fails', file: '(test)', run: () => Promise.reject(new Error('down')) };
    const sink = createTaskSink({ set: { tasks: [failing] }, mode: 'requests', owner: 'oc-owner', rejects });
    const options = { ledgerTable: false as const, key: 'orderId', sinks: [sink], owner: 'oc-owner', drain: true, waitSeconds: 0 };
    const r = await processSqs(aws.clients, { queue: 'oc-tasks', ...options });
    expect(r.metrics).toMatchObject({ MessagesReceived: 2, MessagesToRejects: 2, MessagesSaved: 0, MessagesDeleted: 2 });
    const line = 'received 2 = saved 0 + duplicates 0 + invalid 0 + retried 0 + deferred 0 + to rejects 2';
    expect(outcomeIdentity(r.metrics).line).toBe(line);
    expect((await aws.depth(rejects.queue.url)).visible).toBe(2);
  });
});

describe('consume and the ledger rule', () => {
  it('records again a key whose record is past its TTL, and leaves a key under a live lease', async () => {
    const q = await queue('oc-consume');
    const ledger = new Ledger(await aws.clients.dynamodb(), 'oc-consume-ledger');
    await ledger.create();
    const past = Math.floor(Date.now() / 1000) - 60;
    const updatedAt = new Date(0).toISOString();
    const old = { status: 'COMPLETED' as const, queue: 'oc-consume', messageId: 'old', updatedAt, expiresAt: past };
    expect(await ledger.recordIfAbsent({ ...old, consumer: 'oc-consume', key: 'EXPIRED' })).toBe('recorded');
    await ledger.claim({ ...leaseBy('another-worker', 'oc-consume'), key: 'LEASED' });
    await send('oc-consume', [JSON.stringify({ orderId: 'EXPIRED' }), JSON.stringify({ orderId: 'LEASED' })]);
    const options = { count: 2, waitSeconds: 0, ledgerTable: 'oc-consume-ledger', key: 'orderId' };
    const r = await consume(aws.clients, { queue: 'oc-consume', ...options });
    const byKey = Object.fromEntries(r.messages.map((m) => [m.key, m]));
    expect(byKey.EXPIRED).toMatchObject({ status: 'recorded', deleted: true });
    expect(byKey.LEASED).toMatchObject({ status: 'failed', deleted: false });
    expect((await ledger.get({ consumer: 'oc-consume', key: 'EXPIRED' }))?.expiresAt).toBeGreaterThan(past);
    expect((await ledger.get({ consumer: 'oc-consume', key: 'LEASED' }))?.owner).toBe('another-worker');
    expect(await aws.depth(q.url)).toEqual({ visible: 0, inFlight: 1 });
  });

  it('leaves a template event that breaks its schema on the queue', async () => {
    await queue('oc-consume-schema');
    const produced = await produce(aws.clients, { queue: 'oc-consume-schema', count: 20, invalid: 0.3, seed: 5 });
    const options = { count: 20, waitSeconds: 0, ledgerTable: 'oc-consume-ledger', key: 'orderId' };
    const r = await consume(aws.clients, { queue: 'oc-consume-schema', ...options });
    expect(r.messages).toHaveLength(20);
    expect(r.failed).toBe(produced.injected.invalid);
    expect(r.messages.filter((m) => m.error?.startsWith('schema: order@1')).length).toBeGreaterThan(0);
  });
});
