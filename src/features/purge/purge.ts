/**
 * `purge`: empties a queue with SQS's PurgeQueue. SQS does not say how many messages a
 * purge removed, so the depth is read just before it (visible + in flight + delayed):
 * that is the count reported, approximate as SQS's own counters are.
 */
import type { AwsClients } from '../../aws/clients.js';
import type { SqsQueues } from '../../aws/queue.js';
import { queueCounters } from '../../aws/queueCounters.js';
import { openQueue, sqsQueues } from '../../pipeline/resources.js';

export interface PurgeOptions {
  /** Queue name or URL. */
  queue: string;
  signal?: AbortSignal;
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface PurgeResult {
  queue: string;
  url: string;
  /** The depth read just before the purge: what it removed (approximately, as SQS counts). */
  before: QueueDepth;
  /** visible + in flight + delayed, before the purge. */
  removed: number;
  /** The depth read just after; real SQS may take up to 60 seconds to finish a purge. */
  after: QueueDepth;
}

async function depthOf(queues: SqsQueues, url: string): Promise<QueueDepth> {
  const c = await queueCounters(queues, url);
  return { visible: c.visible, inFlight: c.notVisible, delayed: c.delayed };
}

export async function purgeQueue(clients: AwsClients, options: PurgeOptions): Promise<PurgeResult> {
  const ref = await openQueue(clients, options.queue, { signal: options.signal });
  const queues = await sqsQueues(clients, options.signal);
  const before = await depthOf(queues, ref.url);
  await queues.purge(ref.url);
  const after = await depthOf(queues, ref.url);
  return { queue: ref.name, url: ref.url, before, removed: before.visible + before.inFlight + before.delayed, after };
}
