import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { startFaultProxy } from '../helpers/faultProxy.js';
import { createClients } from '../../src/aws/clients.js';
import { purgeQueue } from '../../src/features/purge/purge.js';
import { PurgeInProgressError, QueueNotFoundError } from '../../src/core/errors.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());

async function fill(url: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 10) {
    const entries = Array.from({ length: Math.min(10, n - i) }, (_, j) => ({ id: String(j), body: `{"n":${i + j}}` }));
    expect((await aws.queues.sendBatch(url, entries)).failed).toEqual([]);
  }
}

describe('purge', () => {
  it('empties a queue and reports the depth it removed, in flight included', async () => {
    const url = await aws.queues.create({ name: 'purge-me' });
    await fill(url, 37);
    await aws.queues.receive(url, { max: 5, waitSeconds: 0, visibilityTimeout: 60 });
    const result = await purgeQueue(aws.clients, { queue: 'purge-me' });
    expect(result.before).toEqual({ visible: 32, inFlight: 5, delayed: 0 });
    expect(result.removed).toBe(37);
    expect(await aws.depth(url)).toEqual({ visible: 0, inFlight: 0 });
    expect(result.after.visible + result.after.inFlight).toBe(0);
  });

  it('refuses a queue that does not exist', async () => {
    await expect(purgeQueue(aws.clients, { queue: 'no-such-queue-to-purge' })).rejects.toBeInstanceOf(QueueNotFoundError);
  });

  it("explains SQS's one purge per 60 seconds when SQS answers PurgeQueueInProgress", async () => {
    // fauxqs purges any number of times: the refusal real SQS gives comes from a proxy at the network edge.
    await aws.queues.create({ name: 'purged-twice' });
    const proxy = await startFaultProxy(aws.local.endpoint);
    const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: proxy.endpoint, credentials: aws.local.credentials });
    try {
      proxy.addRule({ target: 'AmazonSQS.PurgeQueue', times: 1, kind: 'awsError', error: { status: 403, type: 'PurgeQueueInProgress' } });
      const e = await purgeQueue(clients, { queue: 'purged-twice' }).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(PurgeInProgressError);
      expect((e as PurgeInProgressError).message).toMatch(/60 seconds/);
      expect((e as PurgeInProgressError).hint).toMatch(/one purge per queue every 60 seconds/);
      expect(proxy.injected['AmazonSQS.PurgeQueue']).toBe(1);
    } finally {
      clients.destroy();
      await proxy.close();
    }
  });
});
