/**
 * Every environment variable sqsops reads, with its meaning and default: the one
 * table `.env.example` and the README are checked against. Precedence is
 * flags > environment (standard AWS_* names first, then SQSOPS_*) > .env > defaults.
 */
export interface EnvVar {
  name: string;
  description: string;
  default?: string;
  /** Never printed or logged. */
  secret?: boolean;
}

export const DEFAULTS = {
  queue: 'sqsops-events',
  ledgerTable: 'sqsops-ledger',
  bucket: 'sqsops-data',
  localPort: 4577,
  idleMinutes: 30,
  maxReceiveCount: 5,
} as const;

export const ENV_VARS: readonly EnvVar[] = [
  { name: 'AWS_REGION', description: 'AWS region (also AWS_DEFAULT_REGION); the local AWS uses it too', default: 'us-east-1 on the local AWS' },
  { name: 'AWS_PROFILE', description: 'named profile from ~/.aws; setting it targets real AWS' },
  { name: 'AWS_ACCESS_KEY_ID', description: 'static credentials; setting them targets real AWS', secret: true },
  { name: 'AWS_SECRET_ACCESS_KEY', description: 'static credentials (secret)', secret: true },
  { name: 'AWS_SESSION_TOKEN', description: 'session token for temporary credentials (secret)', secret: true },
  { name: 'AWS_ENDPOINT_URL', description: 'one endpoint for every service (LocalStack, another emulator); targets it as AWS' },
  { name: 'AWS_ENDPOINT_URL_SQS', description: 'endpoint for SQS only (likewise _SNS, _DYNAMODB, _S3, _CLOUDWATCH)' },
  { name: 'SQSOPS_TARGET', description: '"aws" to use real AWS with the default credential chain, "local" to force the embedded local AWS', default: 'local unless AWS is configured' },
  { name: 'SQSOPS_HOME', description: 'state dir of the embedded local AWS', default: '~/.sqsops' },
  { name: 'SQSOPS_LOCAL_PORT', description: 'port of the embedded local AWS on 127.0.0.1 (0 = any free port)', default: String(DEFAULTS.localPort) },
  { name: 'SQSOPS_LOCAL_IDLE_MINUTES', description: 'minutes without requests after which an auto-started local AWS exits (0 = never)', default: String(DEFAULTS.idleMinutes) },
  { name: 'SQSOPS_QUEUE', description: 'default queue name or URL', default: DEFAULTS.queue },
  { name: 'SQSOPS_LEDGER_TABLE', description: 'DynamoDB table of the idempotency ledger', default: DEFAULTS.ledgerTable },
  { name: 'SQSOPS_BUCKET', description: 'default S3 bucket', default: DEFAULTS.bucket },
  { name: 'SQSOPS_LARGE_PAYLOAD_BUCKET', description: 'produce: S3 bucket for bodies over 1 MiB, sent as SQS Extended Client pointers' },
  { name: 'SQSOPS_MONGODB_URL', description: 'MongoDB server for the mongodb sink (its password is never printed)', secret: true },
  { name: 'SQSOPS_MONGODB_DATABASE', description: 'database of the mongodb sink', default: 'sqsops' },
  { name: 'SQSOPS_MONGODB_COLLECTION', description: 'collection of the mongodb sink', default: 'messages' },
  { name: 'SQSOPS_MSSQL_URL', description: 'SQL Server connection string or URL for the mssql sink (its password is never printed)', secret: true },
  { name: 'SQSOPS_MSSQL_TABLE', description: 'table of the mssql sink, created if missing', default: 'dbo.sqsops_messages' },
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
