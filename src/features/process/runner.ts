/**
 * `process-sqs`: `concurrency` pollers receive up to 10 messages each (long polling),
 * process them through the shared pipeline, and acknowledge. A heartbeat extends the
 * visibility (and the ledger lease) of messages still being worked on. Stopping (the
 * signal, `count`, or `drain` on an empty queue) stops receiving; what is in flight
 * is finished and acknowledged before the run returns.
 */
import { randomUUID } from 'node:crypto';
import type { AwsClients } from '../../aws/clients.js';
import type { QueueRef, SqsQueues } from '../../aws/queue.js';
import { DrainPace } from '../../core/drain.js';
import { withPartialResult } from '../../core/errors.js';
import { Metrics } from '../../core/metrics.js';
import type { PipelineObserver } from '../../core/tracing.js';
import type { InboundMessage } from '../../pipeline/inbound.js';
import { type Notify, sqsQueues } from '../../pipeline/resources.js';
import type { TaskSet } from '../tasks/modules.js';
import { buildPipeline, type PipelineSettings } from './assemble.js';
import { queueBacklog, startAutoscaler, type AutoscaleOptions } from './autoscaler.js';
import type { ProcessConfig } from './config.js';
import type { ActionLog } from './log.js';
import type { ProcessObserver } from './observer.js';
import { PollerPool } from './pollerPool.js';
import { ReceiveLoop } from './receiveLoop.js';
import { RunStop } from './runStop.js';
import { summarise, type ProcessSqsResult } from './summary.js';
import { PROCESS_DEFAULTS } from '../../config.js';

export type { ProcessSqsResult };

/** The pipeline's fields (PipelineSettings: key, ledger, schema, sinks, tasks, DLQ ...) and the run's. A resolved ProcessConfig fits. */
export interface ProcessSqsOptions extends PipelineSettings {
  queue: string;
  /** Parallel pollers. @default 4 */
  concurrency?: number;
  /** Pollers grow and shrink between these bounds to hold the oldest message's age under the target (see autoscaler.ts); starts at min. */
  autoscale?: AutoscaleOptions;
  /** Stop after this many messages have been handled. */
  count?: number;
  /**
   * Stop once the queue is empty: an empty receive and counters that say nothing is visible or
   * delayed and every hidden message is one this run holds; or one whole empty wait (see core/drain.ts).
   */
  drain?: boolean;
  /** Long-poll wait: for the first message, and in a drain for messages the counters say are coming. @default 20 */
  waitSeconds?: number;
  /** Your code, already loaded (the CLI loads it before connecting); else loaded from `tasks`. */
  taskSet?: TaskSet;
  /** Where secrets such as SQSOPS_WEBHOOK_URL are read from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Claim owner token (a task sink must write to the ledger as the same owner). @default a random UUID */
  owner?: string;
  /** Appended to every key, so one ledger can serve two flows over the same messages (the rejects queue). */
  keySuffix?: string;
  /**
   * Only messages this accepts are processed; the rest are made visible again, untouched (not
   * counted as received, logged as `foreign skip`; see foreign.ts). load leaves others' messages alone with it.
   */
  accept?: (m: InboundMessage) => boolean;
  /** Stops receiving; in-flight work still finishes. */
  signal?: AbortSignal;
  notify?: Notify;
  log?: ActionLog;
  metrics?: Metrics;
  onProgress?: (metrics: Metrics) => void;
  /** Hears when the run is connected and each batch it acknowledged (live metrics). */
  observer?: ProcessObserver;
  /** Gets each message once settled, with its stage timings (tracing, load's stage split). */
  stages?: PipelineObserver;
}

/** A resolved ProcessConfig as processSqs's options; the run's hooks (signal, log, metrics ...) are the caller's. */
export function runOptions(config: ProcessConfig): ProcessSqsOptions {
  const { queue, concurrency, autoscale, count, drain, waitSeconds, key, consumer, schema, ledgerTable, sinks, tasks } = config;
  const { ttlDays, keepPayloads } = config;
  const options: ProcessSqsOptions = { queue, concurrency, drain, waitSeconds, key, schema, ledgerTable, sinks, ttlDays, keepPayloads };
  if (autoscale) options.autoscale = autoscale;
  if (count !== undefined) options.count = count;
  if (consumer !== undefined) options.consumer = consumer;
  if (tasks) options.tasks = tasks;
  if (config.dlq) options.dlq = config.dlq;
  return options;
}

export async function processSqs(clients: AwsClients, options: ProcessSqsOptions): Promise<ProcessSqsResult> {
  const started = performance.now();
  const metrics = options.metrics ?? new Metrics();
  const log: ActionLog = options.log ?? (() => undefined);
  const { notify } = options;
  const pipeline = await buildPipeline(clients, options, options.owner ?? randomUUID(), {
    queue: options.queue,
    log,
    ...(notify ? { notify } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.taskSet ? { taskSet: options.taskSet } : {}),
    ...(options.keySuffix ? { keySuffix: options.keySuffix } : {}),
  });
  const { queue } = pipeline;
  let loop: ReceiveLoop;
  try {
    const visibilitySeconds = await visibilityOf(pipeline.queues, queue.url);
    const config = pipeline.configFor(queue, { metrics, leaseMs: visibilitySeconds * 1000 });
    const pace = options.drain ? new DrainPace() : undefined;
    const stop = new RunStop(options.signal, pace);
    const receiver = await sqsQueues(clients, stop.receives.signal);
    loop = new ReceiveLoop({ pipeline, config, queue, visibilitySeconds, receiver, stop, metrics, log }, options, pace);
    await runPollers(loop, pipeline.queues, queue, options);
  } finally {
    await pipeline.close();
  }
  const result = summarise(loop, started);
  if (loop.failure) throw withPartialResult(loop.failure.error, result);
  return result;
}

async function visibilityOf(queues: SqsQueues, url: string): Promise<number> {
  return Number((await queues.attributes(url, ['VisibilityTimeout'])).VisibilityTimeout ?? 30);
}

/** Starts the pollers (and the autoscaler) and waits for every one of them to return. */
async function runPollers(loop: ReceiveLoop, queues: SqsQueues, queue: QueueRef, options: ProcessSqsOptions): Promise<void> {
  const { url } = queue;
  loop.parts.stop.listen();
  const pool = new PollerPool(loop.poller);
  options.observer?.started?.({
    queueName: queue.name,
    queueUrl: url,
    inFlight: () => loop.inFlight,
    leases: () => loop.leases,
    pollers: () => pool.size,
    ...(options.autoscale ? { targetAgeSeconds: options.autoscale.targetAgeSeconds } : {}),
  });
  loop.scaler = options.autoscale ? startAutoscaler(pool, () => queueBacklog(queues, url), options.autoscale, options.notify) : undefined;
  try {
    pool.resize(options.autoscale?.min ?? options.concurrency ?? Number(PROCESS_DEFAULTS.concurrency));
    await pool.settled();
  } finally {
    loop.scaler?.stop();
    loop.parts.stop.unlisten();
    await loop.foreign?.close();
  }
}
