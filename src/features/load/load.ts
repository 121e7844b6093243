/**
 * `load`: sends at the asked rate while K process-sqs workers consume, and measures
 * what a team asks of its pipeline: the messages per second it holds, and how late
 * the slowest message is. Latency is send to completed (the worker's ledger complete,
 * or its duplicate skip or DLQ move), by the send times we recorded per message id.
 * The age of the oldest waiting message comes from those same send times, not from
 * SQS's ApproximateAgeOfOldestMessage: fauxqs does not have that attribute, and ours
 * is exact and per second. Nothing here prints: progress goes to `onSample`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AwsClients } from '../../aws/clients.js';
import type { SqsQueues } from '../../aws/queue.js';
import { Metrics } from '../../core/metrics.js';
import { census } from './census.js';
import { cleanUp } from './cleanup.js';
import { newRunId, openTarget } from './runQueue.js';
import { describeRate } from '../../core/rateSchedule.js';
import { startSampling } from './sampler.js';
import { runSender } from './sender.js';
import { Tally } from './tally.js';
import type { LoadOptions, LoadResult, LoadSample } from './types.js';
import { createWorkerPool, type WorkerPool } from './workers.js';
import { sqsQueues } from '../../pipeline/resources.js';

export type { LoadOptions, LoadResult, LoadSample } from './types.js';
export { newRunId, runQueueName } from './runQueue.js';

/** The achieved send rate below this share of the asked one means the sender was the limit. */
const SENDER_SHORTFALL = 0.95;

export async function runLoad(clients: AwsClients, options: LoadOptions): Promise<LoadResult> {
  const runId = options.runId ?? newRunId();
  const target = await openTarget(clients, { ...options, runId });
  const tally = new Tally();
  try {
    return await measure(clients, options, runId, target, tally);
  } finally {
    await cleanUp(clients, { target, keep: options.keep, ledgerTable: options.ledgerTable, keys: tally.keys, notify: options.notify });
  }
}

type Target = Awaited<ReturnType<typeof openTarget>>;
type SendResult = Awaited<ReturnType<typeof runSender>>;

/** Where the run is, shared by its samples, its pause and its result. */
export interface RunState {
  started: number;
  phase: LoadSample['phase'];
  /** When the pause really began and ended (ms since the start), for the samples and the report. */
  pausedAt?: number;
  resumedAt?: number;
  /** False from a pause until the workers are back: a drain waits for them. */
  resumed: boolean;
  sendEnded: number;
  sendFailed: number;
  lastFailure: string;
}

/** What every step of one run works with. */
export interface Run {
  options: LoadOptions;
  runId: string;
  target: Target;
  tally: Tally;
  pool: WorkerPool;
  metrics: Metrics;
  state: RunState;
}

async function measure(clients: AwsClients, options: LoadOptions, runId: string, target: Target, tally: Tally): Promise<LoadResult> {
  const metrics = new Metrics();
  const workers = options.workers ?? 2;
  const pool = createWorkerPool(clients, target.queue.url, workers, options.worker, metrics, runId, tally.onAction, tally.stages);
  const state: RunState = {
    started: Date.now(),
    phase: 'send',
    resumed: options.pauseAtMs === undefined,
    sendEnded: 0,
    sendFailed: 0,
    lastFailure: '',
  };
  const run: Run = { options, runId, target, tally, pool, metrics, state };
  // Sends and samples are cut by the signal; workers are stopped by the pool (in-flight work finishes).
  const queues = await sqsQueues(clients, options.signal);
  const sampler = await sqsQueues(clients);
  const samples = startSampling(run, sampler);
  const timers = schedulePause(run);
  let stoppedBy: string | undefined;
  pool.start();
  let sent: SendResult;
  try {
    sent = await send(run, queues);
    stoppedBy = await drain(run);
  } finally {
    for (const t of timers) clearTimeout(t);
    samples.stop();
    await pool.stop();
  }
  await samples.last();
  if (pool.error && !stoppedBy) stoppedBy = `a worker failed: ${pool.error.message}`;
  if (state.sendFailed > 0) options.notify?.(`${state.sendFailed} messages were not sent: ${state.lastFailure}`);
  return result(run, sent, await whereTheyAre(run, sampler), samples.taken, stoppedBy);
}

/** The backlog scenario: consumers stop (a deploy, an outage) and come back. */
function schedulePause(run: Run): NodeJS.Timeout[] {
  const { options, pool, state } = run;
  const timers: NodeJS.Timeout[] = [];
  if (options.pauseAtMs !== undefined) {
    const pause = () => {
      state.pausedAt = Date.now() - state.started;
      void pool.stop();
    };
    timers.push(setTimeout(pause, options.pauseAtMs));
  }
  if (options.resumeAtMs !== undefined) {
    const resume = () => {
      state.resumedAt = Date.now() - state.started;
      state.resumed = true;
      pool.start();
    };
    timers.push(setTimeout(resume, options.resumeAtMs));
  }
  return timers;
}

async function send(run: Run, queues: SqsQueues): Promise<SendResult> {
  const { options, state } = run;
  const sent = await runSender({
    queues,
    queue: run.target.queue,
    schedule: options.rate,
    durationMs: options.durationMs,
    concurrency: options.sendConcurrency ?? 16,
    template: options.template ?? 'order',
    runId: run.runId,
    signal: options.signal,
    onSent: run.tally.onSent,
    onFailed: (n, reason) => {
      state.sendFailed += n;
      state.lastFailure = reason;
    },
  });
  state.sendEnded = Date.now();
  state.phase = 'drain';
  return sent;
}

/** The drain: until every sent message is done, the timeout, an interrupt, or a dead worker; what stopped it early. */
async function drain(run: Run): Promise<string | undefined> {
  const { options, tally, pool, state } = run;
  const deadline = Date.now() + (options.drainTimeoutMs ?? 60_000);
  while (tally.waiting.size > 0 || !state.resumed) {
    if (options.signal?.aborted) return 'interrupted';
    if (pool.error) return `a worker failed: ${pool.error.message}`;
    if (Date.now() > deadline && state.resumed) return `drain timeout (${tally.waiting.size} not completed)`;
    await sleep(50);
  }
  return undefined;
}

function whereTheyAre(run: Run, sampler: SqsQueues) {
  const { tally } = run;
  return census({
    queues: sampler,
    target: run.target,
    runId: run.runId,
    waiting: new Set(tally.waiting.keys()),
    toDlq: tally.toDlq,
    hidden: tally.hidden,
    onForeign: (id) => tally.foreign.add(id),
  });
}

function result(
  run: Run,
  sent: SendResult,
  where: Awaited<ReturnType<typeof census>>,
  samples: LoadSample[],
  stoppedBy: string | undefined,
): LoadResult {
  const { options, target, tally, metrics, state } = run;
  const askedRate = (sent.asked * 1000) / options.durationMs;
  // Achieved: what went out within the window (a slow start that catches up by the end is fine).
  const achievedRate = (sent.onTime * 1000) / options.durationMs;
  // A run stopped before the resume was paused until its last sample.
  const pause = state.pausedAt === undefined ? undefined : { fromMs: state.pausedAt, toMs: state.resumedAt ?? samples.at(-1)!.t };
  return {
    runId: run.runId,
    queue: target.queue.name,
    ownQueue: target.own,
    kept: target.own && options.keep === true,
    dlq: target.dlq?.name,
    rate: describeRate(options.rate),
    workers: { count: options.workers ?? 2, mode: options.worker.mode },
    durationMs: Math.round(sent.elapsedMs),
    drainMs: Date.now() - state.sendEnded,
    asked: sent.asked,
    sent: tally.sent,
    sendFailed: state.sendFailed,
    completed: tally.completed,
    processed: tally.processed,
    // The pipeline's own count: in-process directly, from each worker process's result otherwise.
    duplicatesSkipped: metrics.get('DuplicateMessages'),
    toDlq: tally.toDlq,
    inDlq: tally.toDlq + where.redrivenToDlq,
    leftOnQueue: where.leftOnQueue,
    lost: where.lost,
    foreignReleased: tally.foreign.size,
    askedRate: Math.round(askedRate * 10) / 10,
    achievedRate: Math.round(achievedRate * 10) / 10,
    senderLimited: !options.signal?.aborted && achievedRate < askedRate * SENDER_SHORTFALL,
    latency: tally.total.summary(),
    stages: tally.stages.summary(),
    maxAgeMs: Math.round(tally.maxAgeMs),
    maxAgeLimitMs: options.maxAgeMs,
    pause,
    stoppedBy,
    samples,
    histogram: tally.total.buckets(),
    metrics: metrics.snapshot(),
  };
}
