/**
 * The one process-sqs configuration: flags (the CLI) over environment variables (the CLI
 * and the Lambda alike) over the defaults in src/config.ts. Pure: it parses and checks,
 * and throws a one-line UsageError naming the flag or variable that is wrong.
 */
import { PROCESS_DEFAULTS, defaultNames } from '../../config.js';
import { UsageError } from '../../core/errors.js';
import { parseChoiceFlag, parseIntFlag } from '../../core/flags.js';
import { consumerFrom } from '../../core/consumer.js';
import { compileKey } from '../../core/keys.js';
import type { ScaleBounds } from '../../core/autoscale.js';
import { resolveConcurrency } from './concurrency.js';
import type { LogFormat } from './log.js';
import type { SchemaChoice } from '../../pipeline/schema.js';
import { SINK_NAMES, type SinkSpec } from './sinks/index.js';

/** process-sqs's flags as commander gives them (strings; `false` from a --no-* flag). */
export interface ProcessFlags {
  queue?: string;
  concurrency?: string;
  minConcurrency?: string;
  maxConcurrency?: string;
  targetAge?: string;
  count?: string;
  drain?: boolean;
  wait?: string;
  key?: string;
  consumer?: string;
  schema?: string | false;
  table?: string;
  ledger?: boolean;
  sink?: string[];
  handler?: string[];
  bucket?: string;
  s3Prefix?: string;
  s3Mode?: string;
  mongodbUrl?: string;
  mongodbDatabase?: string;
  mongodbCollection?: string;
  mssqlUrl?: string;
  mssqlTable?: string;
  dlq?: string;
  ttlDays?: string;
  keepPayloads?: boolean;
  logFormat?: string;
  metrics?: string;
  metricsPort?: string;
  metricsHost?: string;
  metricsInterval?: string;
  handlers?: string;
  poolSize?: string;
  failureTask?: string;
  /** `true` from a bare `--rejects-queue`: the default name, `<queue>-rejects`. */
  rejectsQueue?: string | boolean;
  rejects?: boolean;
  /** OpenTelemetry spans (read by the command, not the pipeline). */
  trace?: boolean;
  /** Set by `load --workers-as-processes`: take only this run's messages. */
  loadRun?: string;
}

export type MetricsFormat = 'table' | 'emf' | 'none';

export interface TaskConfig {
  /** Module files, folders of modules, JSON lists of modules (--handlers and --handler alike). */
  handlers: string[];
  poolSize: number;
  failureTask?: string;
  /** Requests mode: where messages whose tasks still fail go; unset, they fail (retried, or poison). */
  rejectsQueue?: string;
  /** Consume the rejects queue instead of the requests queue. */
  rejects: boolean;
}

export interface ProcessConfig {
  queue: string;
  concurrency: number;
  /** --concurrency auto: the pollers grow and shrink between these bounds (concurrency is where they start). */
  autoscale?: ScaleBounds;
  count?: number;
  drain: boolean;
  waitSeconds: number;
  key: string;
  /** Whose ledger records these are (--consumer, SQSOPS_CONSUMER); undefined: the queue's name. */
  consumer?: string;
  schema: SchemaChoice;
  /** false: no ledger. */
  ledgerTable: string | false;
  sinks: SinkSpec;
  /** DLQ name or URL; undefined: the queue's redrive target. */
  dlq?: string;
  ttlDays: number;
  /** Large payloads: keep the S3 object of a processed pointer message. */
  keepPayloads: boolean;
  logFormat: LogFormat;
  metrics: MetricsFormat;
  /** Serve /metrics, /healthz and /readyz on this port (0: any free one); undefined: no server. */
  metricsPort?: number;
  /** Where that server listens. */
  metricsHost: string;
  /** Seconds between EMF lines on a long run. */
  metricsInterval: number;
  tasks?: TaskConfig;
}

/** Where the configuration runs: the two differ only in their log and metrics defaults. */
export type ProcessRuntime = 'cli' | 'lambda';

/** The name to blame in an error: the flag when it was given, else the variable. */
const from = (flag: string, given: unknown, variable: string) => (given !== undefined ? flag : variable);
const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const envOf = (env: NodeJS.ProcessEnv, name: string) => env[name]?.trim() || undefined;

/** --schema FILE, --no-schema (false), or the variable; by default the template schemas. */
export function schemaChoice(flag: string | false | undefined, env: string | undefined): SchemaChoice {
  if (flag === false) return { kind: 'none' };
  const path = flag ?? env;
  if (path === undefined) return { kind: 'templates' };
  return path === 'none' ? { kind: 'none' } : { kind: 'file', path };
}

/**
 * The queue `--rejects` consumes: `--queue` if given, else the rejects queue named by `--rejects-queue NAME` or
 * SQSOPS_REJECTS_QUEUE, else the default queue's `<queue>-rejects`. Two different names are a question, not a guess.
 */
function rejectsToConsume(flags: ProcessFlags, fromEnv: string | undefined, defaultQueue: string): string {
  const named = typeof flags.rejectsQueue === 'string' && flags.rejectsQueue ? flags.rejectsQueue : undefined;
  if (flags.queue && named && flags.queue !== named) {
    throw new UsageError(`--rejects consumes one queue: --queue ${flags.queue} or --rejects-queue ${named}, not both`, {
      hint: 'with --rejects, --queue names the rejects queue itself',
    });
  }
  return flags.queue ?? named ?? fromEnv ?? `${defaultQueue}-rejects`;
}

type Lookup = (name: string) => string | undefined;

export function resolveProcessConfig(env: NodeJS.ProcessEnv, flags: ProcessFlags = {}, runtime: ProcessRuntime = 'cli'): ProcessConfig {
  const d = PROCESS_DEFAULTS;
  const e: Lookup = (name) => envOf(env, name);
  const names = defaultNames(env);
  /** A choice from the flag, else the variable, else the default; an error names where the value came from. */
  const choice = <T extends string>(flag: string, given: string | undefined, variable: string, fallback: T, choices: readonly T[]) =>
    parseChoiceFlag<T>(from(flag, given, variable), given ?? e(variable) ?? fallback, choices);
  const handlers = handlersOf(flags, e);
  const key = flags.key ?? e('SQSOPS_KEY') ?? d.key;
  compileKey(key); // a malformed key fails before anything is touched
  const queue = flags.rejects ? rejectsToConsume(flags, e('SQSOPS_REJECTS_QUEUE'), names.queue) : (flags.queue ?? names.queue);
  const table = flags.table ?? names.ledgerTable;
  const config: ProcessConfig = {
    queue,
    ...resolveConcurrency(flags),
    drain: flags.drain ?? false,
    waitSeconds: parseIntFlag('--wait', flags.wait ?? d.waitSeconds, { min: 0, max: 20 }),
    key,
    schema: schemaChoice(flags.schema, e('SQSOPS_SCHEMA')),
    // "none" is how an environment variable says --no-ledger.
    ledgerTable: flags.ledger === false || (!flags.table && table === 'none') ? false : table,
    sinks: sinkSpec(flags, e, names.bucket, choice),
    ttlDays: parseIntFlag(from('--ttl-days', flags.ttlDays, 'SQSOPS_TTL_DAYS'), flags.ttlDays ?? e('SQSOPS_TTL_DAYS') ?? d.ttlDays, {
      min: 1,
      max: 3650,
    }),
    keepPayloads: flags.keepPayloads ?? e('SQSOPS_KEEP_PAYLOADS') === 'true',
    logFormat: choice<LogFormat>('--log-format', flags.logFormat, 'SQSOPS_LOG_FORMAT', d.logFormat[runtime], ['json', 'text', 'off']),
    metrics: choice<MetricsFormat>('--metrics', flags.metrics, 'SQSOPS_METRICS', d.metrics[runtime], ['table', 'emf', 'none']),
    metricsHost: flags.metricsHost?.trim() || d.metricsHost,
    metricsInterval: parseIntFlag('--metrics-interval', flags.metricsInterval ?? d.metricsInterval, { min: 1, max: 86_400 }),
  };
  addOptional(config, flags, e);
  const tasks = handlers.length ? taskConfig(flags, e, handlers, queue) : undefined;
  if (tasks) config.tasks = tasks;
  return config;
}

/** --handlers DIR and --handler FILE are two spellings of one plug-in point: one list of paths. */
function handlersOf(flags: ProcessFlags, e: Lookup): string[] {
  const fromFlags = [...(flags.handlers ? [flags.handlers] : []), ...(flags.handler ?? [])];
  const handlers = fromFlags.length ? fromFlags : list(e('SQSOPS_HANDLERS'));
  if ((flags.rejects || flags.failureTask || flags.rejectsQueue || flags.poolSize) && handlers.length === 0) {
    throw new UsageError('--rejects, --rejects-queue, --failure-task and --pool-size go with your code', {
      hint: 'add --handler FILE or --handlers DIR (or set SQSOPS_HANDLERS)',
    });
  }
  return handlers;
}

function sinkSpec(
  flags: ProcessFlags,
  e: Lookup,
  bucket: string,
  choice: <T extends string>(flag: string, given: string | undefined, variable: string, fallback: T, choices: readonly T[]) => T,
): SinkSpec {
  const d = PROCESS_DEFAULTS;
  const sinkNames = flags.sink ?? list(e('SQSOPS_SINKS'));
  const spec: SinkSpec = {
    sinks: sinkNames.map((n) => parseChoiceFlag(flags.sink ? '--sink' : 'SQSOPS_SINKS', n, SINK_NAMES)),
    s3: {
      bucket: flags.bucket ?? bucket,
      prefix: flags.s3Prefix ?? e('SQSOPS_S3_PREFIX') ?? d.s3Prefix,
      mode: choice('--s3-mode', flags.s3Mode, 'SQSOPS_S3_MODE', d.s3Mode, ['object', 'batch'] as const),
    },
    mongodb: {
      database: flags.mongodbDatabase ?? e('SQSOPS_MONGODB_DATABASE') ?? d.mongodbDatabase,
      collection: flags.mongodbCollection ?? e('SQSOPS_MONGODB_COLLECTION') ?? d.mongodbCollection,
    },
    mssql: { table: flags.mssqlTable ?? e('SQSOPS_MSSQL_TABLE') ?? d.mssqlTable },
  };
  const mongodbUrl = flags.mongodbUrl ?? e('SQSOPS_MONGODB_URL');
  const mssqlUrl = flags.mssqlUrl ?? e('SQSOPS_MSSQL_URL');
  if (mongodbUrl) spec.mongodb!.url = mongodbUrl;
  if (mssqlUrl) spec.mssql!.url = mssqlUrl;
  return spec;
}

/** The settings that are absent unless given: count, consumer, metrics port, DLQ. */
function addOptional(config: ProcessConfig, flags: ProcessFlags, e: Lookup): void {
  if (flags.count !== undefined) config.count = parseIntFlag('--count', flags.count, { min: 1 });
  const consumer = consumerFrom(flags.consumer, e('SQSOPS_CONSUMER'));
  if (consumer !== undefined) config.consumer = consumer;
  const metricsPort = flags.metricsPort ?? e('SQSOPS_METRICS_PORT');
  if (metricsPort !== undefined) {
    config.metricsPort = parseIntFlag(from('--metrics-port', flags.metricsPort, 'SQSOPS_METRICS_PORT'), metricsPort, {
      min: 0,
      max: 65_535,
    });
  }
  const dlq = flags.dlq ?? e('SQSOPS_DLQ_URL');
  if (dlq) config.dlq = dlq;
}

function taskConfig(flags: ProcessFlags, e: Lookup, handlers: string[], queue: string): TaskConfig {
  const tasks: TaskConfig = {
    handlers,
    poolSize: parseIntFlag('--pool-size', flags.poolSize ?? PROCESS_DEFAULTS.poolSize, { min: 1, max: 256 }),
    rejects: flags.rejects ?? false,
  };
  const rejectsQueue = flags.rejectsQueue === true ? `${queue}-rejects` : flags.rejectsQueue || e('SQSOPS_REJECTS_QUEUE');
  // Consuming the rejects queue parks nothing: a task that still fails goes to the failure task.
  if (rejectsQueue && !tasks.rejects) tasks.rejectsQueue = rejectsQueue;
  if (flags.failureTask) tasks.failureTask = flags.failureTask;
  return tasks;
}
