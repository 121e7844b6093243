/**
 * The one place a process pipeline is put together: from a resolved ProcessConfig (or the
 * same fields from the library's options) to everything a batch runs with: the schema
 * check, the sinks and the tasks sink, the ledger, the DLQ, the payload hook and the
 * PipelineConfig. process-sqs, load's workers and the Lambda handler all call buildPipeline.
 */
import type { AwsClients } from '../../aws/clients.js';
import type { Ledger } from '../../aws/ledger.js';
import type { QueueRef, SqsQueues } from '../../aws/queue.js';
import { parseConsumer } from '../../core/consumer.js';
import { compileKey, type KeyFn } from '../../core/keys.js';
import type { Metrics } from '../../core/metrics.js';
import { payloadHook, type PayloadHook } from '../../pipeline/payloads.js';
import { openDlq, openLedger, openQueue, sqsQueues, type Notify } from '../../pipeline/resources.js';
import { buildValidator, type SchemaCheck, type SchemaChoice } from '../../pipeline/schema.js';
import type { Sink } from '../../pipeline/sink.js';
import type { TaskSet } from '../tasks/modules.js';
import type { AckTarget } from './ack.js';
import type { TaskConfig } from './config.js';
import type { ActionLog } from './log.js';
import { buildSinks, type SinkSpec } from './sinks/index.js';
import { loadTaskSet, pluginSinks, type PluginWiring } from './taskSinks.js';
import type { PipelineConfig } from './types.js';
import { PROCESS_DEFAULTS } from '../../config.js';

/** What a pipeline is made of. A resolved ProcessConfig is one; the library's options give parts ready-made. */
export interface PipelineSettings {
  /** @default messageId */
  key?: string;
  /** Whose ledger records these are (see core/consumer.ts). @default the queue's name */
  consumer?: string;
  /** Ledger table; false: no ledger. */
  ledgerTable: string | false;
  /** What bodies are checked against: a choice to build, or a check already built. @default the built-in template schemas */
  schema?: SchemaChoice | SchemaCheck;
  /** The built-in sinks to build, or sinks already built. @default none */
  sinks?: SinkSpec | Sink[];
  /** Your code: its tasks run as one more sink. */
  tasks?: TaskConfig;
  /** DLQ name or URL; default: the queue's redrive policy target (with a `queue`, see PipelineOptions). */
  dlq?: string;
  /** Days ledger records are kept. @default 7 */
  ttlDays?: number;
  /** Large payloads: keep the S3 object of a processed pointer message. @default false (deleted) */
  keepPayloads?: boolean;
}

export interface PipelineOptions {
  /**
   * The queue a run receives from (process-sqs, load's workers), opened (made on the local AWS) once the sinks
   * are built, so a bad sink fails first: the DLQ defaults to its redrive target and the ledger table is
   * checked (made on the local AWS). Without it (the Lambda, whose events name their queue) the DLQ is only
   * the one named and the table is used as named: a cold start makes no extra calls.
   */
  queue?: string;
  log: ActionLog;
  /** Where secrets such as SQSOPS_WEBHOOK_URL are read from. @default process.env */
  env?: NodeJS.ProcessEnv;
  notify?: Notify;
  /** The tasks already loaded (the CLI loads them before connecting, so a broken module fails fast). */
  taskSet?: TaskSet;
  /** Appended to every key, so one ledger can serve two flows over the same messages (the rejects queue). */
  keySuffix?: string;
}

/** What one queue's batches need beyond the shared parts. */
export interface BatchSettings {
  metrics: Metrics;
  /** Lease of a claim; the heartbeat extends it. */
  leaseMs: number;
  /** See PipelineConfig.stopAtFirstFailure. */
  stopAtFirstFailure?: boolean;
}

/** Everything a batch runs with, built once per run (or per Lambda container). */
export interface Pipeline {
  queues: SqsQueues;
  schema: SchemaCheck;
  sinks: Sink[];
  ledger?: Ledger;
  /** Where poison goes; undefined: left for the redrive policy (or reported, in the Lambda). */
  dlq?: QueueRef;
  payloads: PayloadHook;
  /** The PipelineConfig of one queue's batches. */
  configFor(queue: { name: string; fifo: boolean }, batch: BatchSettings): PipelineConfig;
  /** What the ack step of one queue's batches needs. */
  ackTarget(queue: QueueRef, metrics: Metrics): AckTarget;
  /** Closes the sinks. */
  close(): Promise<void>;
}

/** A run's pipeline, with the queue it receives from. */
export interface QueuePipeline extends Pipeline {
  queue: QueueRef;
}

export async function buildPipeline(
  clients: AwsClients,
  settings: PipelineSettings,
  owner: string,
  options: PipelineOptions & { queue: string },
): Promise<QueuePipeline>;
export async function buildPipeline(
  clients: AwsClients,
  settings: PipelineSettings,
  owner: string,
  options: PipelineOptions,
): Promise<Pipeline>;
export async function buildPipeline(
  clients: AwsClients,
  settings: PipelineSettings,
  owner: string,
  options: PipelineOptions,
): Promise<Pipeline & { queue?: QueueRef }> {
  // A bad key or consumer fails before anything is opened.
  const keyOf = withSuffix(compileKey(settings.key), options.keySuffix);
  const consumer = settings.consumer === undefined ? undefined : parseConsumer(settings.consumer);
  const { schema, sinks } = await buildParts(clients, settings, owner, options);
  const queue =
    options.queue === undefined ? undefined : await openQueue(clients, options.queue, { createIfLocal: true, notify: options.notify });
  const queues = await sqsQueues(clients);
  const dlq = await findDlq(clients, queues, settings.dlq, queue, options.notify);
  const ledger = await ledgerOf(clients, settings.ledgerTable, queue !== undefined, options.notify);
  for (const s of sinks) await s.open?.();
  const ttlSeconds = (settings.ttlDays ?? Number(PROCESS_DEFAULTS.ttlDays)) * 86_400;
  const payloads = payloadHook(clients, { keep: settings.keepPayloads });
  const { log } = options;
  return {
    ...(queue ? { queue } : {}),
    queues,
    schema,
    sinks,
    ...(ledger ? { ledger } : {}),
    ...(dlq ? { dlq } : {}),
    payloads,
    configFor: (queue, batch) => ({
      queueName: queue.name,
      consumer: consumer ?? queue.name,
      fifo: queue.fifo,
      keyOf,
      validate: schema.validate,
      ledger,
      sinks,
      owner,
      ttlSeconds,
      log,
      payloads,
      ...batch,
    }),
    ackTarget: (queue, metrics) => ({ queues, queue, dlq, metrics, log }),
    close: async () => {
      await Promise.allSettled(sinks.map((s) => s.close()));
    },
  };
}

function withSuffix(keyOf: KeyFn, suffix: string | undefined): KeyFn {
  if (!suffix) return keyOf;
  return (source) => {
    const k = keyOf(source);
    return k.ok ? { ok: true, key: `${k.key}${suffix}` } : k;
  };
}

/** The run's queue's DLQ: the one named, else its redrive target. The Lambda describes only the one named (SQSOPS_DLQ_URL). */
async function findDlq(
  clients: AwsClients,
  queues: SqsQueues,
  named: string | undefined,
  queue: QueueRef | undefined,
  notify: Notify | undefined,
): Promise<QueueRef | undefined> {
  if (!queue) return named ? queues.describe(named) : undefined;
  const dlq = await openDlq(clients, queue, { name: named });
  if (!dlq) notify?.(`no DLQ known for ${queue.name}: poison is left for the redrive policy (or pass --dlq)`);
  return dlq;
}

async function ledgerOf(
  clients: AwsClients,
  table: string | false,
  ofRun: boolean,
  notify: Notify | undefined,
): Promise<Ledger | undefined> {
  if (table === false) return undefined;
  if (ofRun) return openLedger(clients, table, { createIfLocal: true, notify });
  const { Ledger } = await import('../../aws/ledger.js');
  return new Ledger(await clients.dynamodb(), table, undefined, clients.endpointOf('dynamodb'));
}

/** The schema check and the sinks: the built-in ones, then your code's (its custom sinks and one task sink). */
async function buildParts(
  clients: AwsClients,
  settings: PipelineSettings,
  owner: string,
  options: PipelineOptions,
): Promise<{ schema: SchemaCheck; sinks: Sink[] }> {
  const given = settings.schema ?? { kind: 'templates' };
  const schema = 'kind' in given ? await buildValidator(given) : given;
  const spec = settings.sinks ?? [];
  const sinks = Array.isArray(spec) ? [...spec] : await buildSinks(spec, clients, options.notify);
  const tasks = settings.tasks;
  if (!tasks) return { schema, sinks };
  const set = options.taskSet ?? (await loadTaskSet(tasks, options.env ?? process.env));
  const wiring: PluginWiring = { owner, ledgerTable: settings.ledgerTable, poolSize: tasks.poolSize, rejects: tasks.rejects };
  if (tasks.rejectsQueue) wiring.rejectsQueue = tasks.rejectsQueue;
  if (options.notify) wiring.notify = options.notify;
  sinks.push(...(await pluginSinks(set, clients, wiring)));
  return { schema, sinks };
}
