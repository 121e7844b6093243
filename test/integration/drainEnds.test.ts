/**
 * Runs that empty a queue end when it is empty: the long poll (here 20 s) waits for the first
 * message, and an empty receive plus the queue's counters end the run, with no second wait.
 * Each run has a hang guard well under one wait; the assertions are on receives and state.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { spySink } from '../helpers/spySink.js';
import { processSqs } from '../../src/features/process/runner.js';
import { moveMessages } from '../../src/features/move/move.js';
import { Ledger } from '../../src/aws/ledger.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());

/** A queue holding these bodies (sent ten at a time, in order). */
async function queueWith(name: string, bodies: string[]): Promise<string> {
  const url = await aws.queues.create({ name });
  for (let i = 0; i < bodies.length; i += 10) {
    const entries = bodies.slice(i, i + 10).map((body, j) => ({ id: String(j), body }));
    expect((await aws.queues.sendBatch(url, entries)).failed).toEqual([]);
  }
  return url;
}

const orders = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => JSON.stringify({ orderId: `${prefix}${i}`, total: 1 }));
const WHOLE_WAIT = 20;
const GUARD_MS = 15_000;

describe('process-sqs --drain', () => {
  it(
    'ends once it has emptied the queue: the other pollers never long-poll, an empty receive and the counters end it',
    async () => {
      const url = await queueWith('dr-five', orders(5, 'five-'));
      const r = await processSqs(aws.clients, {
        queue: 'dr-five',
        ledgerTable: 'dr-ledger',
        key: 'orderId',
        drain: true,
        waitSeconds: WHOLE_WAIT,
      });
      expect(r.metrics).toMatchObject({ MessagesReceived: 5, MessagesSaved: 5, MessagesDeleted: 5, MessagesDeferred: 0 });
      // One long poll brings the five; each of the 4 pollers then makes a few short receives at most.
      expect(r.receives).toBeLessThanOrEqual(10);
      expect(await aws.depth(url)).toEqual({ visible: 0, inFlight: 0 });
    },
    GUARD_MS,
  );

  it('makes one receive on a queue that stays empty for one wait', async () => {
    await queueWith('dr-empty', []);
    const r = await processSqs(aws.clients, { queue: 'dr-empty', ledgerTable: 'dr-ledger', drain: true, waitSeconds: 1, concurrency: 4 });
    expect(r).toMatchObject({ handled: 0, receives: 1 });
  });

  it(
    'does not wait for a message another worker holds: it stays deferred, on the queue, in flight',
    async () => {
      const url = await queueWith('dr-held', orders(3, 'held-'));
      const ledger = new Ledger(await aws.clients.dynamodb(), 'dr-ledger');
      const claim = {
        owner: 'another-worker',
        leaseMs: 600_000,
        payloadHash: 'x',
        queue: 'dr-held',
        messageId: 'm',
        receiveCount: 1,
        ttlSeconds: 600,
      };
      expect((await ledger.claim({ consumer: 'dr-held', key: 'held-1', ...claim })).kind).toBe('claimed');
      const r = await processSqs(aws.clients, {
        queue: 'dr-held',
        ledgerTable: 'dr-ledger',
        key: 'orderId',
        drain: true,
        waitSeconds: WHOLE_WAIT,
      });
      expect(r.metrics).toMatchObject({ MessagesReceived: 3, MessagesSaved: 2, MessagesDeferred: 1 });
      expect(await aws.depth(url)).toEqual({ visible: 0, inFlight: 1 });
    },
    GUARD_MS,
  );

  it(
    'counts a deferred message that comes back in the same run once, by its final outcome',
    async () => {
      // The 11th message repeats the 1st's key and comes in a second receive while the slow sink holds the first.
      const bodies = [...orders(10, 'again-'), JSON.stringify({ orderId: 'again-0', total: 1 })];
      const url = await queueWith('dr-again', bodies);
      const slow = spySink('slow', () => sleep(300));
      const r = await processSqs(aws.clients, {
        queue: 'dr-again',
        ledgerTable: 'dr-ledger',
        key: 'orderId',
        sinks: [slow],
        drain: true,
        waitSeconds: WHOLE_WAIT,
        concurrency: 2,
      });
      expect(r.metrics).toMatchObject({
        MessagesReceived: 11,
        MessagesSaved: 10,
        DuplicateMessages: 1,
        MessagesDeferred: 0,
        MessagesDeleted: 11,
      });
      expect(await aws.depth(url)).toEqual({ visible: 0, inFlight: 0 });
    },
    GUARD_MS,
  );
});

describe('move', () => {
  it(
    'ends once the source is empty, and messages it left behind (filtered out) do not keep it waiting',
    async () => {
      const src = await queueWith('dr-move-a', orders(25, 'mv-'));
      await aws.queues.create({ name: 'dr-move-b' });
      const moved = await moveMessages(aws.clients, { from: 'dr-move-a', to: 'dr-move-b', max: 5, waitSeconds: WHOLE_WAIT });
      expect(moved).toMatchObject({ moved: 5, failed: [] });
      const filtered = await moveMessages(aws.clients, {
        from: 'dr-move-a',
        to: 'dr-move-b',
        filter: ['body.orderId=mv-7'],
        waitSeconds: WHOLE_WAIT,
        visibilityTimeout: 60,
      });
      expect(filtered).toMatchObject({ moved: 1, filteredOut: 19, failed: [] });
      expect(filtered.receives).toBeLessThanOrEqual(20);
      expect(await aws.depth(src)).toEqual({ visible: 19, inFlight: 0 });
    },
    2 * GUARD_MS,
  );
});
