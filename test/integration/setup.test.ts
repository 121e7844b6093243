import { describe, expect, it } from 'vitest';
import { checkedTopology, testAwsForFile } from '../helpers/aws.js';
import { setupTopology } from '../../src/pipeline/converge.js';
import { ObjectStore } from '../../src/aws/objects.js';
import { Ledger } from '../../src/aws/ledger.js';

const aws = testAwsForFile();

describe('setup', () => {
  const raw = {
    queues: [
      { name: 's-orders', maxReceiveCount: 3, visibilityTimeout: 45 },
      { name: 's-pay.fifo', contentBasedDeduplication: true },
    ],
    ledgerTable: 's-ledger',
    bucket: 's-bucket',
  };

  it('plans without changing anything on a dry run', async () => {
    const steps = await setupTopology(aws.clients, checkedTopology(raw), { dryRun: true });
    expect(steps.map((s) => `${s.resource}:${s.name}:${s.action}`)).toEqual([
      'dlq:s-orders-dlq:create',
      'queue:s-orders:create',
      'dlq:s-pay-dlq.fifo:create',
      'queue:s-pay.fifo:create',
      'table:s-ledger:create',
      'bucket:s-bucket:create',
    ]);
    expect(await aws.queues.findUrl('s-orders')).toBeUndefined();
    expect(await new Ledger(await aws.clients.dynamodb(), 's-ledger').exists()).toBe(false);
  });

  it('creates queues with DLQ and redrive policy, the table and the bucket', async () => {
    await setupTopology(aws.clients, checkedTopology(raw));
    const orders = await aws.queues.resolve('s-orders');
    expect(orders.maxReceiveCount).toBe(3);
    expect(orders.deadLetterTargetArn).toBe((await aws.queues.resolve('s-orders-dlq')).arn);
    expect((await aws.queues.attributes(orders.url)).VisibilityTimeout).toBe('45');
    const pay = await aws.queues.resolve('s-pay.fifo');
    expect(pay).toMatchObject({ fifo: true, contentBasedDeduplication: true });
    expect(await new Ledger(await aws.clients.dynamodb(), 's-ledger').exists()).toBe(true);
    expect(await new ObjectStore(await aws.clients.s3()).bucketExists('s-bucket')).toBe(true);
  });

  it('is idempotent, and converges changed settings', async () => {
    const again = await setupTopology(aws.clients, checkedTopology(raw));
    expect(again.every((s) => s.action === 'unchanged')).toBe(true);
    const changed = await setupTopology(
      aws.clients,
      checkedTopology({ ...raw, queues: [{ name: 's-orders', maxReceiveCount: 7, visibilityTimeout: 45 }] }),
    );
    const step = changed.find((s) => s.name === 's-orders');
    expect(step?.action).toBe('update');
    expect(Object.keys(step?.changes ?? {})).toEqual(['RedrivePolicy']);
    expect((await aws.queues.resolve('s-orders')).maxReceiveCount).toBe(7);
  });
});
