import type { CommandContext } from '../context.js';
import { parseIntFlag, parseChoiceFlag } from '../../core/flags.js';
import { compileKey } from '../../core/keys.js';
import { PartialFailureError, UsageError } from '../../core/errors.js';
import { emfLine, Metrics } from '../../core/metrics.js';
import { createActionLog, type LogFormat } from '../../features/process/log.js';
import { buildSinks, SINK_NAMES } from '../../features/process/sinks/index.js';
import { loadSchema } from '../../features/process/schema.js';
import { rate } from '../output.js';
import { randomUUID } from 'node:crypto';
import type { CommandContext as Ctx } from '../context.js';
import type { AwsClients } from '../../aws/clients.js';
import type { Sink } from '../../features/process/sinks/types.js';
import type { TaskSet } from '../../features/tasks/load.js';

async function loadTaskSet(flags: ProcessFlags, ctx: Ctx): Promise<TaskSet> {
  const { loadTasks } = await import('../../features/tasks/load.js');
  if (flags.failureTask === 'webhook') {
    const { webhookTask, WEBHOOK_ENV } = await import('../../features/tasks/webhook.js');
    const url = ctx.env[WEBHOOK_ENV];
    if (!url) throw new UsageError(`--failure-task webhook needs ${WEBHOOK_ENV}`, { hint: `export ${WEBHOOK_ENV}=<your incoming-webhook URL> (it is never printed)` });
    const set = await loadTasks(flags.handlers!);
    return { tasks: set.failureTask ? [...set.tasks, set.failureTask] : set.tasks, failureTask: { ...webhookTask(url), file: '(built-in)' } };
  }
  return loadTasks(flags.handlers!, flags.failureTask ? { failureTask: flags.failureTask } : {});
}

async function taskSinkFor(set: TaskSet, flags: ProcessFlags, ctx: Ctx, clients: AwsClients, run: { owner: string; poolSize: number; queueName: string }): Promise<Sink> {
  const { createTaskSink } = await import('../../features/tasks/runner.js');
  const { SqsQueues } = await import('../../aws/queue.js');
  const { openQueue, openLedger } = await import('../../features/setup/resources.js');
  const ledger = flags.ledger === false ? undefined : await openLedger(clients, flags.table ?? ctx.names.ledgerTable, { createIfLocal: true });
  const rejects = flags.rejects
    ? undefined
    : { queues: new SqsQueues(await clients.sqs(), undefined, clients.endpointOf('sqs')), queue: await openQueue(clients, flags.rejectsQueue ?? `${run.queueName}-rejects`, { createIfLocal: true, notify: (m) => ctx.out.note(m) }) };
  return createTaskSink({ set, mode: flags.rejects ? 'rejects' : 'requests', poolSize: run.poolSize, owner: run.owner, ...(ledger ? { ledger } : {}), ...(rejects ? { rejects } : {}) });
}

export interface ProcessFlags {
  queue?: string;
  concurrency?: string;
  count?: string;
  drain?: boolean;
  wait?: string;
  key?: string;
  schema?: string;
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
  handlers?: string;
  poolSize?: string;
  failureTask?: string;
  rejectsQueue?: string;
  rejects?: boolean;
}

export async function run(flags: ProcessFlags, ctx: CommandContext): Promise<void> {
  const concurrency = parseIntFlag('--concurrency', flags.concurrency ?? '4', { min: 1, max: 100 });
  const count = flags.count !== undefined ? parseIntFlag('--count', flags.count, { min: 1 }) : undefined;
  const waitSeconds = parseIntFlag('--wait', flags.wait ?? '20', { min: 0, max: 20 });
  const ttlDays = parseIntFlag('--ttl-days', flags.ttlDays ?? '7', { min: 1, max: 3650 });
  const logFormat = parseChoiceFlag<LogFormat>('--log-format', flags.logFormat ?? 'off', ['json', 'text', 'off']);
  const metricsFormat = parseChoiceFlag('--metrics', flags.metrics ?? 'table', ['table', 'emf']);
  compileKey(flags.key);
  const validate = flags.schema ? await loadSchema(flags.schema) : undefined;
  const poolSize = parseIntFlag('--pool-size', flags.poolSize ?? '8', { min: 1, max: 256 });
  if ((flags.rejects || flags.failureTask || flags.rejectsQueue || flags.poolSize) && !flags.handlers) {
    throw new UsageError('--rejects, --rejects-queue, --failure-task and --pool-size go with --handlers DIR');
  }
  const taskSet = flags.handlers ? await loadTaskSet(flags, ctx) : undefined;
  const clients = await ctx.connect();
  const owner = randomUUID();
  const queueName = flags.queue ?? (flags.rejects ? `${ctx.names.queue}-rejects` : ctx.names.queue);
  const sinks = await buildSinks(
    {
      sinks: (flags.sink ?? []).map((n) => parseChoiceFlag('--sink', n, SINK_NAMES)),
      ...(flags.handler ? { handlers: flags.handler } : {}),
      s3: { bucket: flags.bucket ?? ctx.names.bucket, prefix: flags.s3Prefix ?? 'messages', mode: parseChoiceFlag('--s3-mode', flags.s3Mode ?? 'object', ['object', 'batch'] as const) },
      mongodb: {
        ...(flags.mongodbUrl ?? ctx.env.SQSOPS_MONGODB_URL ? { url: flags.mongodbUrl ?? ctx.env.SQSOPS_MONGODB_URL } : {}),
        database: flags.mongodbDatabase ?? ctx.env.SQSOPS_MONGODB_DATABASE ?? 'sqsops',
        collection: flags.mongodbCollection ?? ctx.env.SQSOPS_MONGODB_COLLECTION ?? 'messages',
      },
      mssql: { ...(flags.mssqlUrl ?? ctx.env.SQSOPS_MSSQL_URL ? { url: flags.mssqlUrl ?? ctx.env.SQSOPS_MSSQL_URL } : {}), table: flags.mssqlTable ?? ctx.env.SQSOPS_MSSQL_TABLE ?? 'dbo.sqsops_messages' },
    },
    clients,
    (m) => ctx.out.note(m),
  );
  if (taskSet) sinks.push(await taskSinkFor(taskSet, flags, ctx, clients, { owner, poolSize, queueName }));
  const metrics = new Metrics();
  const log = createActionLog(logFormat, (line) => process.stderr.write(`${line}\n`));
  const started = performance.now();
  // Action logs own stderr when they are on: no spinner to interleave with them.
  const spinner = logFormat === 'off' ? await ctx.out.spinner('waiting for messages') : { update() {}, stop() {} };
  // EMF: one line a minute with that minute's counts, so a long run reports as it goes.
  let reported = metrics.snapshot();
  const emfTimer =
    metricsFormat === 'emf'
      ? setInterval(() => {
          ctx.out.print(emfLine(metrics.since(reported), { Queue: queueName }));
          reported = metrics.snapshot();
        }, 60_000)
      : undefined;
  emfTimer?.unref();
  const { processSqs } = await import('../../features/process/runner.js');
  const result = await processSqs(clients, {
    queue: queueName,
    concurrency,
    ...(count !== undefined ? { count } : {}),
    drain: flags.drain ?? false,
    waitSeconds,
    ledgerTable: flags.ledger === false ? false : (flags.table ?? ctx.names.ledgerTable),
    ...(flags.key ? { key: flags.key } : {}),
    ...(validate ? { validate } : {}),
    sinks,
    ...(flags.dlq ? { dlq: flags.dlq } : {}),
    ttlDays,
    keepPayloads: flags.keepPayloads ?? false,
    owner,
    ...(flags.rejects ? { keySuffix: '#rejects' } : {}),
    signal: ctx.signal,
    notify: (m) => ctx.out.note(m),
    log,
    metrics,
    onProgress: (m) => {
      const secs = (performance.now() - started) / 1000;
      spinner.update(`received ${m.get('MessagesReceived')}: saved ${m.get('MessagesSaved')}, duplicates ${m.get('DuplicateMessages')}, invalid ${m.get('InvalidMessages')} (${rate(m.get('MessagesReceived') / Math.max(secs, 0.001))} msg/s)`);
    },
  }).finally(() => {
    spinner.stop();
    clearInterval(emfTimer);
  });

  const { out } = ctx;
  if (metricsFormat === 'emf') out.print(emfLine(metrics.since(reported), { Queue: result.queue }));
  if (out.json) out.printJson(result);
  else if (metricsFormat === 'table') {
    const rows = Object.entries(result.metrics)
      .filter(([k, v]) => v !== 0 || ['MessagesReceived', 'MessagesSaved', 'DuplicateMessages', 'InvalidMessages', 'MessagesDeleted'].includes(k))
      .map(([k, v]) => [k, v]);
    rows.push(['time', `${(result.durationMs / 1000).toFixed(2)} s`], ['msg/s', rate(result.messagesPerSecond)]);
    out.print(out.table([`process-sqs ${result.queue}`, ''], rows));
  }
  const m = result.metrics;
  const problems = (m.MessagesRetried ?? 0) + (m.SQSDeleteError ?? 0) + (m.SQSDLQSendError ?? 0) + (m.DynamoDBCheckError ?? 0) + (m.DynamoDBSaveError ?? 0);
  if (problems > 0) {
    throw new PartialFailureError(`${problems} messages were not fully processed (retries or errors)`, {
      hint: 'they are still on the queue and will be retried; --log-format text shows each one',
    });
  }
}
