import { describe, expect, it } from 'vitest';
import { checkedTopology, testAwsForFile } from '../helpers/aws.js';
import { setupTopology } from '../../src/pipeline/converge.js';
import { parseTopology } from '../../src/core/topology.js';
import { produce } from '../../src/features/produce/produce.js';
import { processSqs } from '../../src/features/process/runner.js';
import { ResourceNotFoundError } from '../../src/core/errors.js';

const aws = testAwsForFile();

// An e-commerce shape: one topic of order events fanned out to two queues, each with a DLQ.
const ecom = {
  queues: ['f-orders-processing', 'f-orders-logistics'],
  topics: [
    {
      name: 'f-orders-events',
      subscriptions: [
        { queue: 'f-orders-processing' },
        { queue: 'f-orders-logistics', rawDelivery: true, filterPolicy: { currency: ['EUR'] }, filterPolicyScope: 'MessageBody' },
      ],
    },
  ],
};

describe('SNS fan-out', () => {
  it('creates the topic, the queue policies and the subscriptions, idempotently', async () => {
    const steps = await setupTopology(aws.clients, checkedTopology(ecom));
    expect(steps.filter((s) => s.resource === 'subscription').map((s) => s.action)).toEqual(['create', 'create']);
    expect(steps.filter((s) => s.resource === 'queue policy')).toHaveLength(2);
    const policy = JSON.parse((await aws.queues.attributes((await aws.queues.resolve('f-orders-processing')).url, ['Policy'])).Policy!);
    expect(policy.Statement[0]).toMatchObject({
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Condition: { ArnEquals: { 'aws:SourceArn': expect.stringMatching(/:f-orders-events$/) } },
    });
    const again = await setupTopology(aws.clients, checkedTopology(ecom));
    expect(again.filter((s) => s.resource !== 'queue' && s.resource !== 'dlq').map((s) => `${s.resource}:${s.action}`)).toEqual([
      'topic:unchanged',
      'subscription:unchanged',
      'subscription:unchanged',
    ]);
  });

  it('publishes through the topic: enveloped to one queue, raw and filtered to the other', async () => {
    const r = await produce(aws.clients, { queue: 'unused', topic: 'f-orders-events', count: 60, seed: 5 });
    expect(r).toMatchObject({ sent: 60, topic: 'f-orders-events', failed: [] });
    const processing = await aws.drain((await aws.queues.resolve('f-orders-processing')).url);
    expect(processing).toHaveLength(60);
    const envelope = JSON.parse(processing[0]!.body);
    expect(envelope).toMatchObject({ Type: 'Notification', TopicArn: expect.stringMatching(/f-orders-events$/) });
    expect(JSON.parse(envelope.Message).eventType).toBe('OrderCreated');
    const logistics = await aws.drain((await aws.queues.resolve('f-orders-logistics')).url);
    const eur = processing.filter((m) => JSON.parse(JSON.parse(m.body).Message).currency === 'EUR').length;
    expect(eur).toBeGreaterThan(0);
    expect(eur).toBeLessThan(60);
    expect(logistics).toHaveLength(eur);
    expect(logistics.every((m) => JSON.parse(m.body).currency === 'EUR')).toBe(true);
  });

  it('processes enveloped messages as their inner event', async () => {
    await produce(aws.clients, { queue: 'unused', topic: 'f-orders-events', count: 10, seed: 6 });
    const r = await processSqs(aws.clients, {
      queue: 'f-orders-processing',
      ledgerTable: 'f-ledger',
      key: 'orderId',
      drain: true,
      waitSeconds: 0,
    });
    expect(r.metrics).toMatchObject({ MessagesSaved: 10, InvalidMessages: 0 });
    await aws.drain((await aws.queues.resolve('f-orders-logistics')).url);
  });

  it('keeps per-group order through a FIFO topic', async () => {
    await setupTopology(
      aws.clients,
      checkedTopology({
        queues: [{ name: 'f-pay.fifo', contentBasedDeduplication: true }],
        topics: [{ name: 'f-pay.fifo', subscriptions: [{ queue: 'f-pay.fifo', rawDelivery: true }] }],
      }),
    );
    const inputs = Array.from({ length: 30 }, (_, i) => ({ body: JSON.stringify({ customerId: `c${i % 3}`, seq: i }), source: `#${i}` }));
    const r = await produce(aws.clients, { queue: 'unused', topic: 'f-pay.fifo', inputs, groupBy: 'customerId', concurrency: 3 });
    expect(r.sent).toBe(30);
    const got = await aws.drain((await aws.queues.resolve('f-pay.fifo')).url);
    for (const g of ['c0', 'c1', 'c2']) {
      const seqs = got
        .map((m) => JSON.parse(m.body))
        .filter((b) => b.customerId === g)
        .map((b) => b.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs).toHaveLength(10);
    }
  });

  it('says a topic is missing and how to create it', async () => {
    await expect(produce(aws.clients, { queue: 'unused', topic: 'f-nope', count: 1 })).rejects.toBeInstanceOf(ResourceNotFoundError);
  });

  it('rejects a FIFO topic subscribed by a standard queue', () => {
    const { problems } = parseTopology({ topics: [{ name: 't.fifo', subscriptions: ['q'] }] });
    expect(problems).toEqual([
      'topics[0].subscriptions[0]: a FIFO topic delivers to FIFO queues only (and a standard topic to standard queues)',
    ]);
  });
});
