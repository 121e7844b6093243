import { Option } from 'commander';
import { DEFAULTS } from '../../config.js';
import { type CommandSpec, addOptions, examples, pathOption, queueOption, resolvedLater } from '../options.js';
import { processingOptions } from './processing.options.js';

const d = DEFAULTS['process-sqs'];

/** An option whose default process-sqs resolves itself (features/process/config.ts), after `env` if given. */
function later(flags: string, description: string, value: string, env?: string): Option {
  return resolvedLater(new Option(flags, description), value, env);
}

/** How many pollers, and when to stop. */
function pollingOptions(): Option[] {
  return [
    later('-c, --concurrency <n|auto>', 'parallel pollers (10 messages each), or auto: grow and shrink them with the queue', d.concurrency),
    later('--min-concurrency <n>', 'auto: fewest pollers, where it starts', d.minConcurrency),
    later('--max-concurrency <n>', 'auto: most pollers', d.maxConcurrency),
    later('--target-age <seconds>', "auto: hold the oldest message's age under this", d.targetAge),
    new Option('-n, --count <n>', 'stop after this many messages'),
    new Option('--drain', "stop once the queue is empty (an empty receive and the queue's counters), or after one whole empty wait"),
    later('--wait <seconds>', 'long-poll wait, for the first message', d.wait),
  ];
}

/** Where the built-in sinks write. */
function sinkOptions(): Option[] {
  return [
    later('--s3-prefix <prefix>', 's3 sink key prefix', d.s3Prefix, 'SQSOPS_S3_PREFIX'),
    later('--s3-mode <mode>', 's3 sink: object (one per message) or batch (NDJSON per batch)', d.s3Mode, 'SQSOPS_S3_MODE'),
    new Option('--mongodb-url <url>', 'mongodb sink server (default: SQSOPS_MONGODB_URL)'),
    later('--mongodb-database <name>', 'mongodb sink database', d.mongodbDatabase, 'SQSOPS_MONGODB_DATABASE'),
    later('--mongodb-collection <name>', 'mongodb sink collection', d.mongodbCollection, 'SQSOPS_MONGODB_COLLECTION'),
    new Option('--mssql-url <url>', 'mssql sink connection string (default: SQSOPS_MSSQL_URL)'),
    later('--mssql-table <name>', 'mssql sink table', d.mssqlTable, 'SQSOPS_MSSQL_TABLE'),
  ];
}

/** Your code's tasks, what happens to messages that still fail, and how long records stay. */
function taskOptions(): Option[] {
  return [
    pathOption('--handlers <dir>', 'your code: a folder (or JSON list) of modules, as --handler takes them'),
    later('--pool-size <n>', 'task runs at once', d.poolSize),
    new Option(
      '--failure-task <name>',
      'the task run once when a message still fails from the rejects queue ("webhook": built-in, SQSOPS_WEBHOOK_URL)',
    ),
    new Option(
      '--rejects-queue [name|url]',
      'park messages whose tasks still fail in this queue (alone: <queue>-rejects; default: SQSOPS_REJECTS_QUEUE, else they are retried)',
    ),
    new Option('--rejects', 'consume the rejects queue: retry only the failed tasks, then run the failure task once'),
    new Option('--dlq <name|url>', "where poison goes (default: SQSOPS_DLQ_URL or the queue's redrive policy target)"),
    later('--ttl-days <n>', 'days ledger records are kept', d.ttlDays, 'SQSOPS_TTL_DAYS'),
    new Option(
      '--keep-payloads',
      'large payloads: keep the S3 object of each processed pointer message (default: SQSOPS_KEEP_PAYLOADS, else deleted after success)',
    ),
  ];
}

/** What the run tells: its action log, metrics and traces. */
function reportingOptions(): Option[] {
  return [
    later('--log-format <format>', 'one line per action: json, text, or off', d.logFormat, 'SQSOPS_LOG_FORMAT'),
    later('--metrics <format>', 'end-of-run metrics: table, emf (CloudWatch EMF) or none', d.metrics, 'SQSOPS_METRICS'),
    later('--metrics-interval <seconds>', 'emf: one line per this many seconds on a long run, and one at the end', d.metricsInterval),
    new Option(
      '--metrics-port <port>',
      'serve /metrics (Prometheus), /healthz and /readyz on this port, 0 for any (default: SQSOPS_METRICS_PORT)',
    ),
    later('--metrics-host <host>', 'address the metrics server listens on', d.metricsHost),
    new Option(
      '--trace',
      "OpenTelemetry: continue each message's trace, a span per stage (default: SQSOPS_TRACE, or on with OTEL_EXPORTER_OTLP_ENDPOINT)",
    ),
  ];
}

/** All of process-sqs's options, in the order its help lists them. */
function options(): Option[] {
  const shared = processingOptions({ fromEnv: true });
  return [
    queueOption('queue to process'),
    ...pollingOptions(),
    shared.key,
    new Option(
      '--consumer <name>',
      "whose ledger records these are: name one to share idempotency between queues (default: SQSOPS_CONSUMER or the queue's name)",
    ),
    shared.schema,
    new Option('--no-schema', 'check no schema, not even the template schemas'),
    shared.table,
    shared.ledger,
    shared.sink,
    shared.handler,
    shared.bucket,
    ...sinkOptions(),
    ...taskOptions(),
    ...reportingOptions(),
    // Set by `load --workers-as-processes` on its workers, not for people: hidden from --help.
    new Option('--load-run <id>', "take only this load run's messages (release the rest untouched)").hideHelp(),
  ];
}

/** `sqsops process-sqs`: its options and help (the run is in processSqs.ts, imported only when it runs). */
export const processSqs: CommandSpec = {
  usage: 'process-sqs [options]',
  description: 'process a queue: claim each message in the ledger, write it to the sinks, then delete it; poison to the DLQ',
  declare: (command) =>
    addOptions(command, options()).addHelpText(
      'after',
      examples([
        'sqsops process-sqs --key orderId --drain --wait 1',
        'sqsops process-sqs --concurrency auto --max-concurrency 16 --target-age 60 --drain --wait 1',
      ]),
    ),
};
