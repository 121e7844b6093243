import type { LatencySummary } from './histogram.js';
import type { RateSchedule } from '../../core/rateSchedule.js';
import type { WorkerSpec } from './workers.js';
import type { StageSummary } from './stages.js';
import type { Notify } from '../../pipeline/resources.js';

export interface LoadOptions {
  /**
   * Queue name or URL (created on the local AWS when missing); it must be empty unless
   * `sharedQueue`. @default a queue of the run's own, `sqsops-load-<run id>` with its DLQ, removed at the end
   */
  queue?: string;
  /** Load a `queue` that holds others' messages: they are released untouched, never processed. @default false */
  sharedQueue?: boolean;
  /** Keep the run's own queue and the ledger records it wrote. @default false */
  keep?: boolean;
  /** Marks the run's messages and ledger keys, and names its queue. @default a new random id */
  runId?: string;
  /** The ledger table the workers write to: the run's records there are removed at the end. */
  ledgerTable?: string | false;
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
  /** Each stage's p50/p99 over this interval: waiting on the queue, ledger claim, sinks, delete (in-process workers). */
  stages?: StageSummary;
  /** ApproximateNumberOfMessages and ...NotVisible, from GetQueueAttributes. */
  visible: number;
  inFlight: number;
  /** Age of the oldest message sent and not yet completed, from our own send times. */
  oldestAgeMs: number;
  workersRunning: number;
  /** The workers were paused (--pause-workers-at) for some part of this interval. */
  paused: boolean;
  sent: number;
  /** sent = processed + inDlq + onQueue, at every sample. */
  completed: number;
  processed: number;
  inDlq: number;
  /** Sent and not completed yet. */
  onQueue: number;
  /** Others' messages the workers received and released untouched, so far. */
  foreignReleased: number;
}

export interface LoadResult {
  runId: string;
  queue: string;
  /** The queue was made for this run (and removed at the end unless kept). */
  ownQueue: boolean;
  kept: boolean;
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
  /** processed + toDlq: completed by a worker. */
  completed: number;
  /** sent = processed + inDlq + leftOnQueue + lost. Processed: stored, skipped as a duplicate, or routed to rejects. */
  processed: number;
  duplicatesSkipped: number;
  /** Moved to the DLQ by a worker. */
  toDlq: number;
  /** The run's messages in the DLQ: moved by a worker, or by SQS's redrive policy. */
  inDlq: number;
  /** The run's messages still on the queue when it ended (visible, in flight or delayed). */
  leftOnQueue: number;
  /** Sent and gone: not processed, not on the queue, not in the DLQ (must be 0). */
  lost: number;
  /** Others' messages the workers received and released untouched (never processed, deleted or recorded). */
  foreignReleased: number;
  askedRate: number;
  achievedRate: number;
  /** The sender fell below 95% of the asked rate: the machine (or the send path), not the pipeline, was the limit. */
  senderLimited: boolean;
  latency: LatencySummary;
  /** Each stage's p50/p99 over the run (in-process workers; zero counts with worker processes). */
  stages?: StageSummary;
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
