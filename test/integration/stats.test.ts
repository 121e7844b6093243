import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { produce } from '../../src/ops/produce.js';
import { queueStats } from '../../src/ops/stats.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());

describe('stats', () => {
  it('reports visible, in-flight and DLQ depths per queue, filtered by prefix', async () => {
    await produce(aws.clients, { queue: 'st-orders', count: 12 });
    await produce(aws.clients, { queue: 'other', count: 1 });
    const { url } = await aws.queues.resolve('st-orders');
    await aws.queues.receive(url, { max: 5, waitSeconds: 0, visibilityTimeout: 60 });
    const dlq = (await aws.queues.resolve('st-orders-dlq')).url;
    await aws.queues.sendBatch(dlq, [{ id: '0', body: 'dead' }, { id: '1', body: 'dead too' }]);
    const rows = await queueStats(aws.clients, { prefix: 'st-' });
    expect(rows.map((r) => r.name).sort()).toEqual(['st-orders', 'st-orders-dlq']);
    const orders = rows.find((r) => r.name === 'st-orders')!;
    expect(orders).toMatchObject({ visible: 7, inFlight: 5, delayed: 0, isDlq: false, dlq: { name: 'st-orders-dlq', visible: 2 } });
    expect(rows.find((r) => r.name === 'st-orders-dlq')).toMatchObject({ isDlq: true, visible: 2 });
  });
});
