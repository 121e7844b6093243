import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
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

  it('refuses a second purge of the same queue within 60 seconds with PurgeQueueInProgress, as SQS does', async () => {
    const url = await aws.queues.create({ name: 'purged-twice' });
    await aws.queues.create({ name: 'purged-once' });
    await purgeQueue(aws.clients, { queue: 'purged-twice' });
    await fill(url, 3);
    const e = await purgeQueue(aws.clients, { queue: 'purged-twice' }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(PurgeInProgressError);
    expect((e as PurgeInProgressError).message).toBe(
      'SQS refused to purge "purged-twice": Only one PurgeQueue operation on purged-twice is allowed every 60 seconds. (PurgeQueueInProgress)',
    );
    expect((e as PurgeInProgressError).hint).toMatch(/one purge per queue every 60 seconds/);
    // Refused means not done: the messages sent since are still there; another queue purges as usual.
    expect(await aws.depth(url)).toEqual({ visible: 3, inFlight: 0 });
    expect((await purgeQueue(aws.clients, { queue: 'purged-once' })).removed).toBe(0);
  });
});
