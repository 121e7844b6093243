/**
 * What a manual move tells the user about a message it delivered but could not delete:
 * where the message still is, in the words of the command that moved it. The delete is
 * made to fail for real: the source queue is deleted once the batch is delivered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { manualMove } from '../../src/features/move/manualMove.js';
import { MOVE_WORDS } from '../../src/features/move/move.js';
import { REDRIVE_WORDS } from '../../src/features/move/redrive.js';
import type { MoveWords } from '../../src/features/move/types.js';
import { forwardMessages } from '../../src/pipeline/forward.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => {
  await aws.stop();
});

async function deliveredNotDeleted(name: string, words: MoveWords) {
  const url = await aws.queues.create({ name: `${name}-src` });
  const destination = await aws.queues.describe(await aws.queues.create({ name: `${name}-dst` }));
  expect((await aws.queues.sendBatch(url, [{ id: '0', body: '{"n":1}' }])).failed).toEqual([]);
  const source = await aws.queues.describe(url);
  const out = await manualMove({
    queues: aws.queues,
    steady: aws.queues,
    source,
    words,
    destinationName: destination.name,
    deliver: async (batch, onSent) => {
      const sent = await forwardMessages(aws.queues, destination, batch, onSent);
      await aws.queues.remove(url);
      return sent;
    },
    max: 1,
    waitSeconds: 0,
    visibilityTimeout: 10,
    concurrency: 1,
    dryRun: false,
  });
  expect(await aws.drain(destination.url)).toHaveLength(1);
  expect(out.moved).toBe(1);
  expect(out.failed).toHaveLength(1);
  expect(out.failed[0]).toMatchObject({ stage: 'delete' });
  return out.failed[0]!.reason;
}

describe('a delivered message that could not be deleted', () => {
  it('move: is still on the source queue', async () => {
    const reason = await deliveredNotDeleted('words-move', MOVE_WORDS);
    expect(reason).toMatch(/^at the destination, but still on the source queue \(/);
    expect(reason).not.toContain('DLQ');
  });

  it('redrive-dlq: is still in the DLQ', async () => {
    const reason = await deliveredNotDeleted('words-redrive', REDRIVE_WORDS);
    expect(reason).toMatch(/^at the destination, but still in the DLQ \(/);
  });
});
