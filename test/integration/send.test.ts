/**
 * The one batch send (pipeline/send.ts) against the real emulator: byte-aware batches,
 * FIFO order kept after a failure, a message over SQS's limit never sent, and a
 * destination that is gone stopping the rest at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { messageBytes } from '../../src/core/batching.js';
import { sendAll } from '../../src/pipeline/send.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => {
  await aws.stop();
});

const entry = (id: string, body: string, groupId?: string) => ({
  id,
  body,
  bytes: messageBytes(body),
  ...(groupId ? { groupId, deduplicationId: `d-${id}` } : {}),
});

/** Sends and writes down what happened to each entry, by id. */
async function send(url: string, entries: ReturnType<typeof entry>[], keepGroupOrder: boolean) {
  const fate: Record<string, string> = {};
  const out = await sendAll(
    (batch) => aws.queues.sendBatch(url, batch),
    entries,
    {
      sent: (ok) => {
        for (const e of ok) fate[e.id] = 'sent';
      },
      failed: (e, code) => {
        fate[e.id] = code;
      },
      skipped: (e) => {
        fate[e.id] = 'skipped';
      },
    },
    { keepGroupOrder },
  );
  return { fate, out };
}

describe('sendAll', () => {
  it('FIFO: a message over 1 MiB is never sent, and the rest of its group waits behind it', async () => {
    const url = await aws.queues.create({ name: 'send-order.fifo', attributes: { FifoQueue: 'true' } });
    const big = 'x'.repeat(1024 * 1024 + 1);
    const { fate, out } = await send(url, [entry('0', big, 'a'), entry('1', '{"n":1}', 'a'), entry('2', '{"n":2}', 'b')], true);
    expect(fate).toEqual({ '0': 'TooLarge', '1': 'skipped', '2': 'sent' });
    expect(out.stoppedBy).toBeUndefined();
    expect((await aws.drain(url)).map((m) => m.body)).toEqual(['{"n":2}']);
  });

  it('cuts requests by bytes: five 300 KB bodies arrive whole, in two or more requests', async () => {
    const url = await aws.queues.create({ name: 'send-bytes' });
    const bodies = Array.from({ length: 5 }, (_, i) => `${i}`.padEnd(300 * 1024, 'y'));
    let requests = 0;
    const out = await sendAll(
      (batch) => {
        requests++;
        return aws.queues.sendBatch(url, batch);
      },
      bodies.map((b, i) => entry(String(i), b)),
      { failed: () => expect.unreachable('nothing fails') },
      { keepGroupOrder: false },
    );
    expect(out.stoppedBy).toBeUndefined();
    expect(requests).toBeGreaterThanOrEqual(2);
    expect((await aws.drain(url)).map((m) => m.body).sort()).toEqual(bodies);
  });

  it('a destination that is gone stops the run: every entry is NotSent, and it says why', async () => {
    const url = await aws.queues.create({ name: 'send-gone' });
    await aws.queues.remove(url);
    const entries = Array.from({ length: 15 }, (_, i) => entry(String(i), `{"n":${i}}`));
    const { fate, out } = await send(url, entries, false);
    expect(Object.values(fate)).toEqual(Array(15).fill('NotSent'));
    expect(out.stoppedBy).toMatch(/send-gone/);
  });
});
