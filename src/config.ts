/**
 * Every environment variable sqsops reads, with its meaning and default: the one
 * table `.env.example` and docs/configuration.md are checked against. Precedence is
 * flags > environment (standard AWS_* names first, then SQSOPS_*) > .env > defaults.
 */
export interface EnvVar {
  name: string;
  description: string;
  default?: string;
  /** Never printed or logged. */
  secret?: boolean;
}

/** process-sqs (CLI and Lambda): the defaults behind its flags and variables. */
export const PROCESS_DEFAULTS = {
  concurrency: '4',
  // --concurrency auto: the pollers' bounds and the oldest message's age they hold.
  minConcurrency: '1',
  maxConcurrency: '32',
  targetAge: '30',
  waitSeconds: '20',
  key: 'messageId',
  ttlDays: '7',
  s3Prefix: 'messages',
  s3Mode: 'object',
  mongodbDatabase: 'sqsops',
  mongodbCollection: 'messages',
  mssqlTable: 'dbo.sqsops_messages',
  poolSize: '8',
  // The Lambda logs JSON lines and EMF for CloudWatch; the CLI shows a table.
  logFormat: { cli: 'off', lambda: 'json' },
  metrics: { cli: 'table', lambda: 'emf' },
  metricsHost: '127.0.0.1',
  metricsInterval: '60',
} as const;

const NAMES = { queue: 'sqsops-events', ledgerTable: 'sqsops-ledger', bucket: 'sqsops-data' } as const;
/**
 * produce: batches in flight. 16 measured best on a 2-core machine against the local AWS
 * (npm run bench:produce: 8 gave 0.84-0.91x of it, 32 no more); real SQS, farther away, gains more.
 */
const PRODUCE_CONCURRENCY = 16;
/** Receives before a message moves to its queue's DLQ (setup, and a topology file that names none). */
const MAX_RECEIVE_COUNT = 5;
/** move and redrive-dlq (by hand): long-poll wait, how long taken messages stay hidden, loops at once. */
const TRANSFER = { wait: 20, visibilityTimeout: 30, concurrency: 8 } as const;

/**
 * Every default sqsops falls back to, and (by command, under commander's camelCase name of
 * the flag) every default a flag shows in --help: the help text is generated from here.
 */
export const DEFAULTS = {
  ...NAMES,
  /** The region of the embedded local AWS, and of a target that names none. */
  region: 'us-east-1',
  localPort: 4577,
  /** Minutes without a request after which an auto-started local AWS exits. */
  idleMinutes: 30,
  maxReceiveCount: MAX_RECEIVE_COUNT,
  produceConcurrency: PRODUCE_CONCURRENCY,
  produce: {
    count: 10,
    template: 'order',
    concurrency: PRODUCE_CONCURRENCY,
    duplicates: 0,
    invalid: 0,
    // SQS's own limit on a message (body plus attributes).
    largePayloadThreshold: 1_048_576,
  },
  consume: { count: 10, wait: 5, key: PROCESS_DEFAULTS.key },
  'process-sqs': {
    concurrency: PROCESS_DEFAULTS.concurrency,
    minConcurrency: PROCESS_DEFAULTS.minConcurrency,
    maxConcurrency: PROCESS_DEFAULTS.maxConcurrency,
    targetAge: PROCESS_DEFAULTS.targetAge,
    wait: PROCESS_DEFAULTS.waitSeconds,
    key: PROCESS_DEFAULTS.key,
    s3Prefix: PROCESS_DEFAULTS.s3Prefix,
    s3Mode: PROCESS_DEFAULTS.s3Mode,
    mongodbDatabase: PROCESS_DEFAULTS.mongodbDatabase,
    mongodbCollection: PROCESS_DEFAULTS.mongodbCollection,
    mssqlTable: PROCESS_DEFAULTS.mssqlTable,
    poolSize: PROCESS_DEFAULTS.poolSize,
    ttlDays: PROCESS_DEFAULTS.ttlDays,
    logFormat: PROCESS_DEFAULTS.logFormat.cli,
    metrics: PROCESS_DEFAULTS.metrics.cli,
    metricsInterval: PROCESS_DEFAULTS.metricsInterval,
    metricsHost: PROCESS_DEFAULTS.metricsHost,
  },
  stats: { interval: 5 },
  show: { limit: 50 },
  // The queues setup creates, from its flags or a topology file that leaves them out.
  setup: { maxReceiveCount: MAX_RECEIVE_COUNT, visibilityTimeout: 30, waitTime: 20, retention: 345_600 },
  'download-urls': { concurrency: 16, retries: 4, connectTimeout: 10, idleTimeout: 30, maxRedirects: 5 },
  'redrive-dlq': TRANSFER,
  move: TRANSFER,
  load: {
    rate: '100',
    workers: 2,
    drainTimeout: '60s',
    interval: '1s',
    sendConcurrency: 16,
    concurrency: Number(PROCESS_DEFAULTS.concurrency),
    key: PROCESS_DEFAULTS.key,
  },
  // An explicit start runs until stopped; an auto-started one exits after `idleMinutes`.
  'local start': { idleMinutes: 0 },
  tail: { interval: 5 },
} as const;

const P = PROCESS_DEFAULTS;

export const ENV_VARS: readonly EnvVar[] = [
  {
    name: 'AWS_REGION',
    description: 'AWS region (also AWS_DEFAULT_REGION); the local AWS uses it too',
    default: `${DEFAULTS.region} on the local AWS`,
  },
  { name: 'AWS_PROFILE', description: 'named profile from ~/.aws; setting it targets real AWS' },
  { name: 'AWS_ACCESS_KEY_ID', description: 'static credentials; setting them targets real AWS', secret: true },
  { name: 'AWS_SECRET_ACCESS_KEY', description: 'static credentials (secret)', secret: true },
  { name: 'AWS_SESSION_TOKEN', description: 'session token for temporary credentials (secret)', secret: true },
  { name: 'AWS_ENDPOINT_URL', description: 'one endpoint for every service (LocalStack, another emulator); targets it as AWS' },
  { name: 'AWS_ENDPOINT_URL_SQS', description: 'endpoint for SQS only (likewise _SNS, _DYNAMODB, _S3, _CLOUDWATCH)' },
  {
    name: 'HTTPS_PROXY',
    description: 'forward proxy for https AWS calls and downloads (also https_proxy; ALL_PROXY as the fallback); never for this machine',
  },
  { name: 'HTTP_PROXY', description: 'forward proxy for http endpoints and downloads (also http_proxy)' },
  { name: 'NO_PROXY', description: 'hosts, .domains and CIDRs reached directly, comma-separated (also no_proxy; * for all)' },
  {
    name: 'SQSOPS_TARGET',
    description: '"aws" to use real AWS with the default credential chain, "local" to force the embedded local AWS',
    default: 'local unless AWS is configured',
  },
  { name: 'SQSOPS_HOME', description: 'state dir of the embedded local AWS', default: '~/.sqsops' },
  {
    name: 'SQSOPS_LOCAL_PORT',
    description: 'port of the embedded local AWS on 127.0.0.1 (0 = any free port)',
    default: String(DEFAULTS.localPort),
  },
  {
    name: 'SQSOPS_LOCAL_IDLE_MINUTES',
    description: 'minutes without requests after which an auto-started local AWS exits (0 = never)',
    default: String(DEFAULTS.idleMinutes),
  },
  {
    name: 'SQSOPS_LOCAL_MEMORY_MB',
    description: 'heap limit of the embedded local AWS in MiB (it holds every stored message in memory)',
    default: "half the machine's memory",
  },
  { name: 'SQSOPS_QUEUE', description: 'default queue name or URL', default: DEFAULTS.queue },
  {
    name: 'SQSOPS_LEDGER_TABLE',
    description: 'DynamoDB table of the idempotency ledger ("none" in the Lambda: no ledger)',
    default: DEFAULTS.ledgerTable,
  },
  { name: 'SQSOPS_BUCKET', description: 'default S3 bucket', default: DEFAULTS.bucket },
  { name: 'SQSOPS_LARGE_PAYLOAD_BUCKET', description: 'produce: S3 bucket for bodies over 1 MiB, sent as SQS Extended Client pointers' },
  {
    name: 'SQSOPS_KEEP_PAYLOADS',
    description: 'process-sqs and the Lambda: true keeps the S3 object of a processed large-payload message (like --keep-payloads)',
    default: 'false',
  },
  { name: 'SQSOPS_KEY', description: 'process-sqs and the Lambda: idempotency key spec (like --key)', default: P.key },
  {
    name: 'SQSOPS_CONSUMER',
    description: 'process-sqs, consume and the Lambda: whose ledger records these are (like --consumer)',
    default: "the queue's name",
  },
  {
    name: 'SQSOPS_SCHEMA',
    description: 'process-sqs and the Lambda: JSON Schema file (like --schema); "none" checks nothing',
    default: 'the template schemas',
  },
  {
    name: 'SQSOPS_SINKS',
    description: 'process-sqs and the Lambda: comma-separated sinks, s3,mongodb,mssql (like --sink)',
    default: 'none',
  },
  {
    name: 'SQSOPS_HANDLERS',
    description: 'process-sqs and the Lambda: your code, comma-separated module files, folders or JSON lists (like --handler)',
  },
  {
    name: 'SQSOPS_REJECTS_QUEUE',
    description: 'process-sqs and the Lambda: where messages whose tasks still fail go (like --rejects-queue)',
    default: 'none: they are retried',
  },
  { name: 'SQSOPS_DLQ_URL', description: 'process-sqs and the Lambda: where poison goes (like --dlq)', default: 'the redrive target' },
  {
    name: 'SQSOPS_TTL_DAYS',
    description: 'process-sqs and the Lambda: days ledger records are kept (like --ttl-days)',
    default: P.ttlDays,
  },
  {
    name: 'SQSOPS_LOG_FORMAT',
    description: 'process-sqs and the Lambda: action log, json, text or off (like --log-format)',
    default: `${P.logFormat.cli}; ${P.logFormat.lambda} in the Lambda`,
  },
  {
    name: 'SQSOPS_METRICS',
    description: 'process-sqs and the Lambda: metrics, table, emf or none (like --metrics)',
    default: `${P.metrics.cli}; ${P.metrics.lambda} in the Lambda`,
  },
  {
    name: 'SQSOPS_METRICS_PORT',
    description: 'process-sqs: serve /metrics (Prometheus), /healthz and /readyz on this port (like --metrics-port)',
    default: 'none: no server',
  },
  {
    name: 'SQSOPS_TRACE',
    description:
      'produce, process-sqs and the Lambda: OpenTelemetry tracing, true or false (like --trace); the OTEL_* variables configure the exporter',
    default: 'on when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, else off',
  },
  { name: 'SQSOPS_S3_PREFIX', description: 's3 sink key prefix (like --s3-prefix)', default: P.s3Prefix },
  { name: 'SQSOPS_S3_MODE', description: 's3 sink mode, object or batch (like --s3-mode)', default: P.s3Mode },
  { name: 'SQSOPS_MONGODB_URL', description: 'MongoDB server for the mongodb sink (its password is never printed)', secret: true },
  { name: 'SQSOPS_MONGODB_DATABASE', description: 'database of the mongodb sink', default: P.mongodbDatabase },
  { name: 'SQSOPS_MONGODB_COLLECTION', description: 'collection of the mongodb sink', default: P.mongodbCollection },
  {
    name: 'SQSOPS_MSSQL_URL',
    description: 'SQL Server connection string or URL for the mssql sink (its password is never printed)',
    secret: true,
  },
  { name: 'SQSOPS_MSSQL_TABLE', description: 'table of the mssql sink, created if missing', default: P.mssqlTable },
  { name: 'SQSOPS_WEBHOOK_URL', description: 'incoming-webhook URL of the built-in failure task (never printed)', secret: true },
  { name: 'NO_COLOR', description: 'any value turns colours off' },
  { name: 'FORCE_COLOR', description: 'colours even when not a terminal ("0" turns them off); wins over NO_COLOR' },
  { name: 'COLUMNS', description: 'width tables fit when stdout is not a terminal', default: "stderr's terminal, else 120" },
];

export interface Names {
  queue: string;
  ledgerTable: string;
  bucket: string;
}

export function defaultNames(env: NodeJS.ProcessEnv = process.env): Names {
  return {
    queue: env.SQSOPS_QUEUE?.trim() || DEFAULTS.queue,
    ledgerTable: env.SQSOPS_LEDGER_TABLE?.trim() || DEFAULTS.ledgerTable,
    bucket: env.SQSOPS_BUCKET?.trim() || DEFAULTS.bucket,
  };
}
