/**
 * Where a load run sends: by default a queue of its own (with its DLQ), made for the run
 * and removed at the end, so nobody else's message is ever near it. A queue named with
 * `--queue` must be empty, unless the caller says it may be shared: then the workers take
 * only the run's own messages and release the rest untouched.
 */
import { randomUUID } from 'node:crypto';
import type { AwsClients } from '../../aws/clients.js';
import type { SqsQueues, QueueRef } from '../../aws/queue.js';
import { UsageError } from '../../core/errors.js';
import { parseQueueConfig } from '../../core/topology.js';
import { openDlq, openQueue, type Notify, sqsQueues } from '../../pipeline/resources.js';
import { setupTopology } from '../../pipeline/converge.js';

/** A short run id: it names the run's queue and marks its messages and ledger keys. */
export const newRunId = (): string => randomUUID().replace(/-/g, '').slice(0, 12);

/** The queue a run makes for itself (its DLQ is this name with `-dlq`). */
export const runQueueName = (runId: string): string => `sqsops-load-${runId}`;

export interface RunTarget {
  queue: QueueRef;
  dlq?: QueueRef;
  /** Made for this run (removed at the end unless kept). */
  own: boolean;
}

const DEPTH = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;

/** Every message a queue holds: visible, in flight and delayed. */
export async function messagesOn(queues: SqsQueues, url: string): Promise<number> {
  const a = await queues.attributes(url, [...DEPTH]);
  return DEPTH.reduce((n, k) => n + Number(a[k] ?? 0), 0);
}

/** The run's DLQ, if it has one that still exists. */
const dlqOf = (clients: AwsClients, queue: QueueRef) => openDlq(clients, queue).catch(() => undefined);

/** Makes the run's own queue and DLQ (on the local AWS and on real AWS alike). */
async function makeOwn(clients: AwsClients, runId: string, signal?: AbortSignal): Promise<RunTarget> {
  const problems: string[] = [];
  const config = parseQueueConfig(runQueueName(runId), 'the run queue', problems)!;
  await setupTopology(clients, { queues: [config], ledgerTable: false, bucket: false }, { signal });
  const queue = await openQueue(clients, config.name, { createIfLocal: false, signal });
  return { queue, dlq: await dlqOf(clients, queue), own: true };
}

export interface TargetOptions {
  queue?: string;
  sharedQueue?: boolean;
  runId: string;
  signal?: AbortSignal;
  notify?: Notify;
}

export async function openTarget(clients: AwsClients, o: TargetOptions): Promise<RunTarget> {
  if (o.queue === undefined) return makeOwn(clients, o.runId, o.signal);
  // load sends, like produce: any queue it is told to load is created on the local AWS.
  const queue = await openQueue(clients, o.queue, { createIfLocal: 'any', notify: o.notify, signal: o.signal });
  const held = await messagesOn(await sqsQueues(clients, o.signal), queue.url);
  if (held > 0 && !o.sharedQueue) {
    throw new UsageError(
      `queue ${queue.name} already holds ${held} message${held === 1 ? '' : 's'} this run did not send: nothing sent; ` +
        'pass --shared-queue to load it anyway (they are released untouched)',
      { hint: 'or leave out --queue: load then runs on a queue of its own, removed at the end' },
    );
  }
  if (held > 0 && queue.maxReceiveCount !== undefined) {
    o.notify?.(
      `${queue.name} is shared: each receive of its ${held} other messages counts toward their maxReceiveCount ` +
        `(${queue.maxReceiveCount}); one within two receives of it is held hidden until the workers stop, then released`,
    );
  }
  return { queue, dlq: await dlqOf(clients, queue), own: false };
}

/** Removes the run's own queue and DLQ. Not tied to the run's signal: it runs after Ctrl-C too. */
export async function removeOwn(clients: AwsClients, target: RunTarget): Promise<void> {
  const queues = await sqsQueues(clients);
  await queues.remove(target.queue.url);
  if (target.dlq) await queues.remove(target.dlq.url);
}
