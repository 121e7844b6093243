/**
 * The heartbeat of a batch being worked on, against the real emulators: while it beats, the
 * batch's messages stay hidden past their visibility timeout and the leases of the keys it
 * claimed stay live; once stopped, the messages come back when their timeout ends.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { Ledger } from '../../src/aws/ledger.js';
import { ledgerId } from '../../src/core/consumer.js';
import { Heartbeat } from '../../src/features/process/heartbeat.js';
import { fromSqsMessage } from '../../src/pipeline/inbound.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());

const VISIBILITY = 2;

describe('the heartbeat', () => {
  it('keeps a batch hidden and its claims leased while it beats, and lets them go when stopped', async () => {
    const url = await aws.queues.create({ name: 'hb-queue', attributes: { VisibilityTimeout: String(VISIBILITY) } });
    await aws.queues.sendBatch(url, [{ id: '0', body: '{"orderId":"hb-1"}' }]);
    const batch = (await aws.queues.receive(url, { max: 10, waitSeconds: 1 })).map(fromSqsMessage);
    expect(batch).toHaveLength(1);
    const ledger = new Ledger(await aws.clients.dynamodb(), 'hb-ledger');
    await ledger.create();
    const claim = { owner: 'me', leaseMs: VISIBILITY * 1000, payloadHash: 'x', queue: 'hb-queue', receiveCount: 1, ttlSeconds: 600 };
    expect((await ledger.claim({ ...claim, consumer: 'hb-queue', key: 'hb-1', messageId: batch[0]!.messageId })).kind).toBe('claimed');

    const claimed = new Set<string>();
    const target = {
      queues: aws.queues,
      queueUrl: url,
      visibilitySeconds: VISIBILITY,
      ledger,
      consumer: 'hb-queue',
      owner: 'me',
      leaseMs: 2000,
    };
    const heartbeat = new Heartbeat(target, batch, claimed).start();
    claimed.add('hb-1'); // claimed after the start: the next beat extends it
    try {
      expect(heartbeat.intervalMs).toBe(1000);
      await sleep(VISIBILITY * 1000 * 2);
      // Twice the timeout later: still hidden, and the lease still live.
      expect(await aws.queues.receive(url, { max: 10, waitSeconds: 0 })).toEqual([]);
      const record = await ledger.getById(ledgerId({ consumer: 'hb-queue', key: 'hb-1' }));
      expect(record?.leaseExpiresAt).toBeGreaterThan(Date.now());
    } finally {
      heartbeat.stop();
    }
    await sleep(VISIBILITY * 1000 + 500);
    const back = await aws.queues.receive(url, { max: 10, waitSeconds: 1 });
    expect(back.map((m) => m.MessageId)).toEqual([batch[0]!.messageId]);
  });
});
