/** A queue's approximate counters, in one GetQueueAttributes: for drains, purge, metrics and summaries. */
import type { QueueCounters } from '../core/drain.js';
import type { SqsQueues } from './queue.js';

export async function queueCounters(queues: SqsQueues, url: string): Promise<QueueCounters> {
  const a = await queues.attributes(url, [
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesDelayed',
    'ApproximateNumberOfMessagesNotVisible',
  ]);
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
    notVisible: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}
