/**
 * What `move` and `redrive-dlq` share around a manual move: its options, checked and
 * defaulted the same way, and the notes and depth both report.
 */
import type { QueueRef, SqsQueues } from '../../aws/queue.js';
import { UsageError } from '../../core/errors.js';
import { DEFAULT_GROUP } from '../../pipeline/forward.js';
import type { MoveProgress } from './types.js';
import { DEFAULTS } from '../../config.js';

/** The options `move` and `redrive-dlq` both take for a manual move. */
export interface ManualMoveOptions {
  max?: number;
  rate?: number;
  /** @default 8 */
  concurrency?: number;
  /** @default 20 */
  waitSeconds?: number;
  /** @default 30 */
  visibilityTimeout?: number;
  signal?: AbortSignal;
  onProgress?: (p: MoveProgress) => void;
}

/** A usage error for a number out of its range, before anything connects. */
export function checkManualOptions(o: ManualMoveOptions): void {
  const whole = (v: number | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max))
      throw new UsageError(`${flag} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, not ${v}`);
  };
  whole(o.max, '--max', 1);
  whole(o.rate, '--rate', 1);
  whole(o.concurrency, '--concurrency', 1, 64);
  whole(o.waitSeconds, '--wait', 0, 20);
  whole(o.visibilityTimeout, '--visibility-timeout', 5, 43_200);
}

/** The manualMove parameters the options give, with their defaults. */
export function manualSettings(o: ManualMoveOptions) {
  return {
    max: o.max,
    rate: o.rate,
    waitSeconds: o.waitSeconds ?? DEFAULTS.move.wait,
    visibilityTimeout: o.visibilityTimeout ?? DEFAULTS.move.visibilityTimeout,
    concurrency: o.concurrency ?? DEFAULTS.move.concurrency,
    signal: o.signal,
    onProgress: o.onProgress,
  };
}

/** Notes what a move between a FIFO and a standard queue loses or adds. */
export function fifoNotes(source: QueueRef, destination: QueueRef, note: (m: string) => void): void {
  if (source.fifo && !destination.fifo) note(`${destination.name} is a standard queue: FIFO order and message groups are not kept`);
  if (!source.fifo && destination.fifo)
    note(`${destination.name} is FIFO and ${source.name} is not: every message goes to group "${DEFAULT_GROUP}"`);
}

/** The note for left-behind messages that could not be made visible at once, if there are any. */
export function releaseNote(releaseFailed: number, source: QueueRef, o: ManualMoveOptions, note: (m: string) => void): void {
  if (releaseFailed > 0)
    note(
      `${releaseFailed} messages left in ${source.name} could not be made visible at once; they return within ${o.visibilityTimeout ?? 30} s`,
    );
}

/** A queue's approximate depth (read without the run's signal: it is read at the end, after Ctrl-C too). */
export async function queueDepth(steady: SqsQueues, url: string): Promise<{ visible: number; inFlight: number }> {
  const a = await steady.attributes(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
  return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) };
}
