/**
 * The native DLQ move: SQS's own message move task (StartMessageMoveTask), followed
 * with ListMessageMoveTasks and cancelled with CancelMessageMoveTask when the run is
 * aborted (Ctrl-C). SQS moves the messages itself, without duplicates in its own
 * accounting; an endpoint or account without the API answers `unsupported`, and the
 * caller falls back to the manual move.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { MoveTask, QueueRef, SqsQueues } from '../../aws/queue.js';
import { UsageError } from '../../core/errors.js';
import type { MoveProgress } from './types.js';

/** SQS's cap for MaxNumberOfMessagesPerSecond; without a rate it moves at up to this speed anyway. */
export const NATIVE_MAX_RATE = 500;
const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
/** After a cancel, how long to wait for SQS to confirm it. */
const CANCEL_WAIT_MS = 30_000;

export interface NativeMoveParams {
  /** No signal: the cancel must still go out after Ctrl-C. */
  steady: SqsQueues;
  dlq: QueueRef;
  /** Undefined: back to each message's original source queue. */
  destination?: QueueRef | undefined;
  rate?: number | undefined;
  signal?: AbortSignal | undefined;
  /** How often the task is polled. @default 2000 */
  pollMs?: number | undefined;
  onProgress?: ((p: MoveProgress) => void) | undefined;
}

export type NativeOutcome = { supported: false; reason: string } | { supported: true; task: MoveTask; stoppedBy?: string };

/** The task we started: the newest one of this DLQ (SQS runs one at a time per source). */
async function current(steady: SqsQueues, dlqArn: string): Promise<MoveTask | undefined> {
  const tasks = await steady.listMoveTasks(dlqArn);
  return tasks.supported ? tasks.value[0] : undefined;
}

export async function nativeMove(p: NativeMoveParams): Promise<NativeOutcome> {
  const pollMs = p.pollMs ?? 2000;
  const before = await p.steady.listMoveTasks(p.dlq.arn);
  if (!before.supported) return before;
  const running = before.value.find((t) => t.status === 'RUNNING' || t.status === 'CANCELLING');
  if (running) {
    throw new UsageError(`a message move task is already running on ${p.dlq.name} (${running.moved} moved so far)`, {
      hint: 'wait for it to finish, or cancel it in the SQS console (or `aws sqs cancel-message-move-task`)',
      context: { taskHandle: running.taskHandle },
    });
  }
  const started = await p.steady.startMoveTask(p.dlq.arn, {
    destinationArn: p.destination?.arn,
    ...(p.rate && p.rate <= NATIVE_MAX_RATE ? { maxPerSecond: p.rate } : {}),
  });
  if (!started.supported) return started;
  const handle = started.value;
  let cancelledAt: number | undefined;
  for (;;) {
    try {
      await sleep(pollMs, undefined, { signal: p.signal });
    } catch {
      // Ctrl-C: ask SQS to stop; what it moved stays moved, the rest stays in the DLQ.
      if (cancelledAt === undefined) {
        cancelledAt = Date.now();
        await p.steady.cancelMoveTask(handle).catch(() => undefined); // it may have just finished
      }
      await sleep(Math.min(pollMs, 500));
    }
    const task = await current(p.steady, p.dlq.arn);
    if (!task) throw new Error(`the move task on ${p.dlq.name} is no longer listed`);
    p.onProgress?.({ moved: task.moved, filteredOut: 0, failed: 0, wouldMove: 0, toMove: task.toMove });
    if (FINAL.has(task.status)) return { supported: true, task, ...(cancelledAt !== undefined ? { stoppedBy: 'interrupted' } : {}) };
    if (cancelledAt !== undefined && Date.now() - cancelledAt > CANCEL_WAIT_MS) {
      return {
        supported: true,
        task,
        stoppedBy: `interrupted; the task was still ${task.status.toLowerCase()} after ${CANCEL_WAIT_MS / 1000} s`,
      };
    }
  }
}
