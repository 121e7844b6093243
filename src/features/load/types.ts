import type { LatencySummary } from './histogram.js';
import type { RateSchedule } from './schedule.js';
import type { WorkerSpec } from './workers.js';
import type { Notify } from '../setup/resources.js';

export interface LoadOptions {
  /** Queue name or URL (created on the local AWS when missing). */
  queue: string;
  rate: RateSchedule;
  /** How long to send. */
  durationMs: number;
  /** Consumers. @default 2 */
  workers?: number;
  worker: WorkerSpec;
  /** One sample (and one progress callback) per interval. @default 1000 */
  intervalMs?: number;
  /** Stop the workers this long after the start ... */
  pauseAtMs?: number;
  /** ... and start them again at this time. */
  resumeAtMs?: number;
  /** The run fails when a message ever waits longer than this (send to completed). */
  maxAgeMs?: number;
  /** After sending, wait at most this long for the backlog to drain. @default 60000 */
  drainTimeoutMs?: number;
  /** SendMessageBatch calls in flight at once. @default 16 */
  sendConcurrency?: number;
  /** Event template of the bodies. @default "order" */
  template?: string;
  signal?: AbortSignal;
  notify?: Notify;
  onSample?: (sample: LoadSample) => void;
}

/** One interval of the run. Rates are per second over the interval. */
export interface LoadSample {
  /** Milliseconds since the start. */
  t: number;
  phase: 'send' | 'drain';
  askedRate: number;
  sentRate: number;
  completedRate: number;
  /** Latency of the messages completed in this interval (send to completed). */
  latency: LatencySummary;
  /** ApproximateNumberOfMessages and ...NotVisible, from GetQueueAttributes. */
  visible: number;
  inFlight: number;
  /** Age of the oldest message sent and not yet completed, from our own send times. */
  oldestAgeMs: number;
  workersRunning: number;
  /** The workers were paused (--pause-workers-at) for some part of this interval. */
  paused: boolean;
  sent: number;
  completed: number;
}

export interface LoadResult {
  queue: string;
  dlq?: string;
  rate: string;
  workers: { count: number; mode: WorkerSpec['mode'] };
  durationMs: number;
  drainMs: number;
  /** What the schedule asked for over the send phase. */
  asked: number;
  sent: number;
  /** Entries SQS refused or calls that failed (not sent, so not lost). */
  sendFailed: number;
  completed: number;
  duplicatesSkipped: number;
  /** Sent ids never completed after the drain (must be 0). */
  lost: number;
  /** Messages the workers took that this run did not send (left on the queue before it). */
  otherMessages: number;
  toDlq: number;
  /** ApproximateNumberOfMessages of the DLQ at the end. */
  inDlq?: number;
  askedRate: number;
  achievedRate: number;
  /** The sender fell below 95% of the asked rate: the machine (or the send path), not the pipeline, was the limit. */
  senderLimited: boolean;
  latency: LatencySummary;
  /** The longest any message waited, sampled and at completion. */
  maxAgeMs: number;
  maxAgeLimitMs?: number;
  /** When the workers were paused, in ms since the start, as it happened (timers fire a little late). */
  pause?: { fromMs: number; toMs: number };
  /** Set when the drain stopped early: the timeout, an interrupt, or a worker's error. */
  stoppedBy?: string;
  samples: LoadSample[];
  /** [upper edge ms, count] of the whole run's latency histogram. */
  histogram: [number, number][];
  metrics: Record<string, number>;
}
