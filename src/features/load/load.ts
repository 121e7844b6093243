/**
 * `load`: sends at the asked rate while K process-sqs workers consume, and measures
 * what a team asks of its pipeline: the messages per second it holds, and how late
 * the slowest message is. Latency is send to completed (the worker's ledger complete,
 * or its duplicate skip or DLQ move), by the send times we recorded per message id.
 * The age of the oldest waiting message comes from those same send times, not from
 * SQS's ApproximateAgeOfOldestMessage: fauxqs does not have that attribute, and ours
 * is exact and per second. Nothing here prints: progress goes to `onSample`.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AwsClients } from '../../aws/clients.js';
import { SqsQueues, type QueueRef } from '../../aws/queue.js';
import { Metrics } from '../../core/metrics.js';
import { openQueue } from '../setup/resources.js';
import { Histogram } from './histogram.js';
import { describeRate, rateAt } from './schedule.js';
import { runSender } from './sender.js';
import type { LoadOptions, LoadResult, LoadSample } from './types.js';
import { createWorkerPool, type DoneKind } from './workers.js';

export type { LoadOptions, LoadResult, LoadSample } from './types.js';

/** The achieved send rate below this share of the asked one means the sender was the limit. */
const SENDER_SHORTFALL = 0.95;
/** A completion is matched to its send within this long, or it was not this run's message. */
const EARLY_MS = 10_000;

async function depthOf(queues: SqsQueues, url: string): Promise<{ visible: number; inFlight: number }> {
  try {
    const a = await queues.attributes(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
    return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) };
  } catch {
    // A missed sample is a gap in the chart, not a failed run.
    return { visible: -1, inFlight: -1 };
  }
}

async function dlqOf(clients: AwsClients, queue: QueueRef): Promise<QueueRef | undefined> {
  const name = queue.deadLetterTargetArn?.split(':').pop();
  return name ? openQueue(clients, name, { createIfLocal: false }).catch(() => undefined) : undefined;
}

export async function runLoad(clients: AwsClients, options: LoadOptions): Promise<LoadResult> {
  const intervalMs = options.intervalMs ?? 1000;
  const workerCount = options.workers ?? 2;
  // load sends, like produce: any queue it is told to load is created on the local AWS.
  const queue = await openQueue(clients, options.queue, { createIfLocal: 'any', notify: options.notify });
  const dlq = await dlqOf(clients, queue);
  // Sends and samples are cut by the signal; workers are stopped by the pool (in-flight work finishes).
  const queues = new SqsQueues(await clients.sqs(), options.signal, clients.endpointOf('sqs'));
  const sampler = new SqsQueues(await clients.sqs(), undefined, clients.endpointOf('sqs'));

  // Not yet completed: id -> send time. A Map iterates in insertion order, so its first
  // entry is the oldest waiting message (sends are inserted as SQS acknowledges them).
  const waiting = new Map<string, number>();
  // A completion seen before its send was acknowledged to us (possible, if rare), or of a
  // message this run did not send (left on the queue earlier): dropped after EARLY_MS.
  const early = new Map<string, { at: number; kind: DoneKind }>();
  let others = 0;
  const completedIds = new Set<string>();
  const total = new Histogram();
  let interval = new Histogram();
  let sent = 0;
  let sendFailed = 0;
  let completed = 0;
  let toDlq = 0;
  let maxAgeMs = 0;
  let lastFailure = '';

  const complete = (id: string, sentAt: number, at: number, kind: DoneKind) => {
    waiting.delete(id);
    // A redelivery of a message already done: the pipeline skipped it, as it should.
    if (completedIds.has(id)) return;
    completedIds.add(id);
    completed++;
    if (kind === 'dlq') toDlq++;
    const ms = at - sentAt;
    total.record(ms);
    interval.record(ms);
    if (ms > maxAgeMs) maxAgeMs = ms;
  };
  const onSent = (id: string, sentAt: number) => {
    sent++;
    const e = early.get(id);
    if (e) {
      early.delete(id);
      complete(id, sentAt, e.at, e.kind);
    } else waiting.set(id, sentAt);
  };
  const onDone = (id: string, kind: DoneKind) => {
    const sentAt = waiting.get(id);
    if (sentAt !== undefined) complete(id, sentAt, Date.now(), kind);
    else if (!completedIds.has(id)) early.set(id, { at: Date.now(), kind });
  };

  const metrics = new Metrics();
  const pool = createWorkerPool(clients, queue.url, workerCount, options.worker, metrics, onDone);
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
    for (const [id, e] of early) {
      if (Date.now() - e.at < EARLY_MS) break;
      early.delete(id);
      others++;
    }
    const depth = await depthOf(sampler, queue.url);
    const oldest = waiting.values().next();
    const oldestAgeMs = oldest.done ? 0 : Date.now() - oldest.value;
    if (oldestAgeMs > maxAgeMs) maxAgeMs = oldestAgeMs;
    const secs = Math.max(0.001, (t - last.t) / 1000);
    // Paused for any part of (last.t, t]: the same window the report shades.
    const paused = pausedAt !== undefined && pausedAt < t && (resumedAt === undefined || resumedAt > last.t);
    const sample: LoadSample = {
      t,
      phase,
      askedRate: phase === 'send' ? Math.round(rateAt(options.rate, t)) : 0,
      sentRate: Math.round((sent - last.sent) / secs),
      completedRate: Math.round((completed - last.completed) / secs),
      latency: interval.summary(),
      visible: depth.visible,
      inFlight: depth.inFlight,
      oldestAgeMs,
      workersRunning: pool.running,
      paused,
      sent,
      completed,
    };
    interval = new Histogram();
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
      runId: randomUUID(),
      signal: options.signal,
      onSent,
      onFailed: (n, reason) => {
        sendFailed += n;
        lastFailure = reason;
      },
    });
    sendEnded = Date.now();
    phase = 'drain';
    // The drain: until every sent message is done, the timeout, an interrupt, or a dead worker.
    const drainDeadline = Date.now() + (options.drainTimeoutMs ?? 60_000);
    while (waiting.size > 0 || !resumed) {
      if (options.signal?.aborted) stoppedBy = 'interrupted';
      else if (pool.error) stoppedBy = `a worker failed: ${pool.error.message}`;
      else if (Date.now() > drainDeadline && resumed) stoppedBy = `drain timeout (${waiting.size} not completed)`;
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
  const inDlq = dlq ? (await depthOf(sampler, dlq.url)).visible : undefined;
  // A run stopped before the resume was paused until its last sample.
  const pause = pausedAt === undefined ? undefined : { fromMs: pausedAt, toMs: resumedAt ?? samples.at(-1)!.t };
  return {
    queue: queue.name,
    dlq: dlq?.name,
    rate: describeRate(options.rate),
    workers: { count: workerCount, mode: options.worker.mode },
    durationMs: Math.round(durationMs),
    drainMs: Date.now() - sendEnded,
    asked: sendResult.asked,
    sent,
    sendFailed,
    completed,
    // The pipeline's own count: in-process directly, from each worker process's result otherwise.
    duplicatesSkipped: metrics.get('DuplicateMessages'),
    lost: waiting.size,
    otherMessages: others + early.size,
    toDlq,
    inDlq: inDlq !== undefined && inDlq >= 0 ? inDlq : undefined,
    askedRate: Math.round(askedRate * 10) / 10,
    achievedRate: Math.round(achievedRate * 10) / 10,
    senderLimited: !options.signal?.aborted && achievedRate < askedRate * SENDER_SHORTFALL,
    latency: total.summary(),
    maxAgeMs: Math.round(maxAgeMs),
    maxAgeLimitMs: options.maxAgeMs,
    pause,
    stoppedBy,
    samples,
    histogram: total.buckets(),
    metrics: metrics.snapshot(),
  };
}
