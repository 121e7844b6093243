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
import { Histogram } from './histogram.js';
import { newRunId, openTarget } from './runQueue.js';
import { describeRate, rateAt } from '../../core/rateSchedule.js';
import { runSender } from './sender.js';
import { Tally } from './tally.js';
import type { LoadOptions, LoadResult, LoadSample } from './types.js';
import { createWorkerPool } from './workers.js';
import { sqsQueues } from '../../pipeline/resources.js';

export type { LoadOptions, LoadResult, LoadSample } from './types.js';
export { newRunId, runQueueName } from './runQueue.js';

/** The achieved send rate below this share of the asked one means the sender was the limit. */
const SENDER_SHORTFALL = 0.95;

async function depthOf(queues: SqsQueues, url: string): Promise<{ visible: number; inFlight: number }> {
  try {
    const a = await queues.attributes(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
    return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) };
  } catch {
    // A missed sample is a gap in the chart, not a failed run.
    return { visible: -1, inFlight: -1 };
  }
}

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

async function measure(
  clients: AwsClients,
  options: LoadOptions,
  runId: string,
  target: Awaited<ReturnType<typeof openTarget>>,
  tally: Tally,
): Promise<LoadResult> {
  const intervalMs = options.intervalMs ?? 1000;
  const workerCount = options.workers ?? 2;
  const { queue, dlq } = target;
  // Sends and samples are cut by the signal; workers are stopped by the pool (in-flight work finishes).
  const queues = await sqsQueues(clients, options.signal);
  const sampler = await sqsQueues(clients);
  let sendFailed = 0;
  let lastFailure = '';

  const metrics = new Metrics();
  const pool = createWorkerPool(clients, queue.url, workerCount, options.worker, metrics, runId, tally.onAction, tally.stages);
  const started = Date.now();
  const samples: LoadSample[] = [];
  let phase: LoadSample['phase'] = 'send';
  let last = { t: 0, sent: 0, completed: 0 };
  let sendEnded = 0;
  // When the pause really began and ended (ms since the start), for the samples and the report.
  let pausedAt: number | undefined;
  let resumedAt: number | undefined;
  const takeSample = async () => {
    const t = Date.now() - started;
    // Read with t, before the depth call: a pause that starts during it belongs to the next sample.
    const workersRunning = pool.running;
    tally.expireEarly();
    const depth = await depthOf(sampler, queue.url);
    const oldestAgeMs = tally.oldestAgeMs();
    const { sent, completed } = tally;
    const secs = Math.max(0.001, (t - last.t) / 1000);
    // Paused for any part of (last.t, t]: the same window the report shades.
    const paused = pausedAt !== undefined && pausedAt < t && (resumedAt === undefined || resumedAt > last.t);
    const sample: LoadSample = {
      t,
      phase,
      askedRate: phase === 'send' ? Math.round(rateAt(options.rate, t)) : 0,
      sentRate: Math.round((sent - last.sent) / secs),
      completedRate: Math.round((completed - last.completed) / secs),
      latency: tally.interval.summary(),
      stages: tally.stages.takeInterval(),
      visible: depth.visible,
      inFlight: depth.inFlight,
      oldestAgeMs,
      workersRunning,
      paused,
      sent,
      completed,
      processed: tally.processed,
      inDlq: tally.toDlq,
      onQueue: tally.waiting.size,
      foreignReleased: tally.foreign.size,
    };
    tally.interval = new Histogram();
    last = { t, sent, completed };
    samples.push(sample);
    options.onSample?.(sample);
  };
  let sampling = Promise.resolve();
  const ticker = setInterval(() => {
    sampling = sampling.then(takeSample);
  }, intervalMs);

  // The backlog scenario: consumers stop (a deploy, an outage) and come back.
  const timers: NodeJS.Timeout[] = [];
  let resumed = options.pauseAtMs === undefined;
  if (options.pauseAtMs !== undefined) {
    timers.push(
      setTimeout(() => {
        pausedAt = Date.now() - started;
        void pool.stop();
      }, options.pauseAtMs),
    );
  }
  if (options.resumeAtMs !== undefined) {
    timers.push(
      setTimeout(() => {
        resumedAt = Date.now() - started;
        resumed = true;
        pool.start();
      }, options.resumeAtMs),
    );
  }

  let stoppedBy: string | undefined;
  pool.start();
  let sendResult: Awaited<ReturnType<typeof runSender>>;
  try {
    sendResult = await runSender({
      queues,
      queue,
      schedule: options.rate,
      durationMs: options.durationMs,
      concurrency: options.sendConcurrency ?? 16,
      template: options.template ?? 'order',
      runId,
      signal: options.signal,
      onSent: tally.onSent,
      onFailed: (n, reason) => {
        sendFailed += n;
        lastFailure = reason;
      },
    });
    sendEnded = Date.now();
    phase = 'drain';
    // The drain: until every sent message is done, the timeout, an interrupt, or a dead worker.
    const drainDeadline = Date.now() + (options.drainTimeoutMs ?? 60_000);
    while (tally.waiting.size > 0 || !resumed) {
      if (options.signal?.aborted) stoppedBy = 'interrupted';
      else if (pool.error) stoppedBy = `a worker failed: ${pool.error.message}`;
      else if (Date.now() > drainDeadline && resumed) stoppedBy = `drain timeout (${tally.waiting.size} not completed)`;
      if (stoppedBy) break;
      await sleep(50);
    }
  } finally {
    for (const t of timers) clearTimeout(t);
    clearInterval(ticker);
    await pool.stop();
  }
  await sampling;
  await takeSample();
  if (pool.error && !stoppedBy) stoppedBy = `a worker failed: ${pool.error.message}`;
  if (sendFailed > 0) options.notify?.(`${sendFailed} messages were not sent: ${lastFailure}`);

  const durationMs = sendResult.elapsedMs;
  const askedRate = (sendResult.asked * 1000) / options.durationMs;
  // Achieved: what went out within the window (a slow start that catches up by the end is fine).
  const achievedRate = (sendResult.onTime * 1000) / options.durationMs;
  const where = await census({
    queues: sampler,
    target,
    runId,
    waiting: new Set(tally.waiting.keys()),
    toDlq: tally.toDlq,
    hidden: tally.hidden,
    onForeign: (id) => tally.foreign.add(id),
  });
  // A run stopped before the resume was paused until its last sample.
  const pause = pausedAt === undefined ? undefined : { fromMs: pausedAt, toMs: resumedAt ?? samples.at(-1)!.t };
  return {
    runId,
    queue: queue.name,
    ownQueue: target.own,
    kept: target.own && options.keep === true,
    dlq: dlq?.name,
    rate: describeRate(options.rate),
    workers: { count: workerCount, mode: options.worker.mode },
    durationMs: Math.round(durationMs),
    drainMs: Date.now() - sendEnded,
    asked: sendResult.asked,
    sent: tally.sent,
    sendFailed,
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
