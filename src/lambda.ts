/**
 * The process-sqs pipeline as an AWS Lambda handler for an SQS event source with
 * ReportBatchItemFailures: the same decode → claim → sinks → complete, without
 * receive or delete (Lambda deletes what we do not report). Configured by environment
 * variables (see the README); clients and sinks are built once per container.
 */
import { randomUUID } from 'node:crypto';
import { chooseTarget } from './aws/target.js';
import { createClients, type AwsClients } from './aws/clients.js';
import { Ledger } from './aws/ledger.js';
import { SqsQueues, type QueueRef } from './aws/queue.js';
import { compileKey } from './core/keys.js';
import { emfLine, Metrics } from './core/metrics.js';
import { addEnvSecrets, redactError } from './core/redact.js';
import { createActionLog, type LogFormat } from './features/process/log.js';
import { processBatch } from './features/process/processBatch.js';
import { payloadHook, type PayloadHook } from './features/payloads/payloads.js';
import { acknowledgePoisonToDlq } from './features/process/dlq.js';
import { loadSchema } from './features/process/schema.js';
import type { InboundMessage, Outcome, PipelineConfig } from './features/process/types.js';
import { buildSinks, SINK_NAMES, type SinkName } from './features/process/sinks/index.js';
import type { Sink } from './features/process/sinks/types.js';

/** The fields of an SQS event record we use (the shape Lambda sends). */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string | undefined>;
  messageAttributes?: Record<string, { stringValue?: string; binaryValue?: string; dataType: string }>;
  eventSourceARN: string;
}
export interface SqsEvent {
  Records: SqsRecord[];
}
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}
interface LambdaContext {
  getRemainingTimeInMillis?: () => number;
}

interface Runtime {
  clients: AwsClients;
  sinks: Sink[];
  ledger?: Ledger;
  validate?: (body: unknown) => string | undefined;
  dlq?: QueueRef;
  queues: SqsQueues;
  payloads: PayloadHook;
}

function toInbound(r: SqsRecord): InboundMessage {
  const attributes: Record<string, string> = {};
  const rawAttributes: NonNullable<InboundMessage['rawAttributes']> = {};
  for (const [k, v] of Object.entries(r.messageAttributes ?? {})) {
    if (v.stringValue !== undefined) attributes[k] = v.stringValue;
    rawAttributes[k] = { DataType: v.dataType, ...(v.stringValue !== undefined ? { StringValue: v.stringValue } : {}), ...(v.binaryValue !== undefined ? { BinaryValue: Buffer.from(v.binaryValue, 'base64') } : {}) };
  }
  const sent = Number(r.attributes.SentTimestamp);
  return {
    messageId: r.messageId,
    receiptHandle: r.receiptHandle,
    body: r.body,
    receiveCount: Number(r.attributes.ApproximateReceiveCount ?? 1),
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
    ...(r.attributes.MessageGroupId ? { groupId: r.attributes.MessageGroupId } : {}),
    attributes,
    rawAttributes,
    traceId: r.attributes.AWSTraceHeader ?? r.messageId,
  };
}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** A handler bound to an environment (tests pass their own; `handler` uses process.env). */
export function createHandler(env: NodeJS.ProcessEnv = process.env) {
  let runtime: Promise<Runtime> | undefined;
  const owner = randomUUID();
  addEnvSecrets(env);
  const log = createActionLog((env.SQSOPS_LOG_FORMAT as LogFormat | undefined) ?? 'json', (line) => console.log(line));

  const init = async (): Promise<Runtime> => {
    const choice = chooseTarget({}, env);
    // Lambda puts the role's credentials in the environment; read them from the env we were given.
    const credentials = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) }
      : undefined;
    const base = choice.kind === 'aws' ? choice : { kind: 'aws' as const, region: choice.region, endpoints: {}, reason: 'Lambda' };
    const clients = createClients({ ...base, ...(credentials ? { credentials } : {}) });
    const table = env.SQSOPS_LEDGER_TABLE ?? 'sqsops-ledger';
    const sinks = await buildSinks(
      {
        sinks: list(env.SQSOPS_SINKS).filter((s): s is SinkName => (SINK_NAMES as readonly string[]).includes(s)),
        handlers: list(env.SQSOPS_HANDLERS),
        s3: { bucket: env.SQSOPS_BUCKET ?? 'sqsops-data', prefix: env.SQSOPS_S3_PREFIX ?? 'messages', mode: env.SQSOPS_S3_MODE === 'batch' ? 'batch' : 'object' },
        mongodb: { ...(env.SQSOPS_MONGODB_URL ? { url: env.SQSOPS_MONGODB_URL } : {}), database: env.SQSOPS_MONGODB_DATABASE ?? 'sqsops', collection: env.SQSOPS_MONGODB_COLLECTION ?? 'messages' },
        mssql: { ...(env.SQSOPS_MSSQL_URL ? { url: env.SQSOPS_MSSQL_URL } : {}), table: env.SQSOPS_MSSQL_TABLE ?? 'dbo.sqsops_messages' },
      },
      clients,
    );
    for (const s of sinks) await s.open?.();
    const queues = new SqsQueues(await clients.sqs(), undefined, clients.endpointOf('sqs'));
    const dlq = env.SQSOPS_DLQ_URL ? await queues.describe(env.SQSOPS_DLQ_URL) : undefined;
    return {
      clients,
      sinks,
      queues,
      payloads: payloadHook(clients, { keep: env.SQSOPS_KEEP_PAYLOADS === 'true' }),
      ...(table !== 'none' ? { ledger: new Ledger(await clients.dynamodb(), table, undefined, clients.endpointOf('dynamodb')) } : {}),
      ...(env.SQSOPS_SCHEMA ? { validate: await loadSchema(env.SQSOPS_SCHEMA) } : {}),
      ...(dlq ? { dlq } : {}),
    };
  };

  return async function handler(event: SqsEvent, context?: LambdaContext): Promise<BatchResponse> {
    const rt = await (runtime ??= init().catch((e: unknown) => {
      runtime = undefined; // a failed cold start is retried on the next invocation
      throw redactError(e); // the runtime logs message and stack as they are
    }));
    const records = event.Records ?? [];
    if (records.length === 0) return { batchItemFailures: [] };
    const queueName = records[0]!.eventSourceARN.split(':').pop() ?? '';
    const fifo = queueName.endsWith('.fifo');
    const metrics = new Metrics();
    const messages = records.map(toInbound);
    const config: PipelineConfig = {
      queueName,
      fifo,
      stopAtFirstFailure: true,
      keyOf: compileKey(env.SQSOPS_KEY),
      ...(rt.validate ? { validate: rt.validate } : {}),
      ...(rt.ledger ? { ledger: rt.ledger } : {}),
      sinks: rt.sinks,
      owner,
      // The lease outlives this invocation's remaining time (SQS would redeliver after it anyway).
      leaseMs: Math.max(30_000, context?.getRemainingTimeInMillis?.() ?? 900_000),
      ttlSeconds: Number(env.SQSOPS_TTL_DAYS ?? 7) * 86_400,
      metrics,
      log,
      payloads: rt.payloads,
    };
    const outcomes: Outcome[] = await processBatch(messages, config);

    const failures = new Set<string>();
    const poison: { m: InboundMessage; reason: string }[] = [];
    outcomes.forEach((o, i) => {
      const m = messages[i]!;
      if (o.kind === 'poison' && rt.dlq) poison.push({ m, reason: o.reason });
      else if (o.kind !== 'saved' && o.kind !== 'duplicate') failures.add(m.messageId);
    });
    if (poison.length && rt.dlq) {
      const sent = await acknowledgePoisonToDlq(rt.queues, rt.dlq, poison, metrics, log);
      for (const { m } of poison) if (!sent.has(m.messageId)) failures.add(m.messageId);
    }
    // FIFO: everything after the first failure must be reported too, to keep order.
    if (fifo) {
      const first = messages.findIndex((m) => failures.has(m.messageId));
      if (first >= 0) for (const m of messages.slice(first)) failures.add(m.messageId);
    }
    if ((env.SQSOPS_METRICS ?? 'emf') === 'emf') console.log(emfLine(metrics.snapshot(), { Queue: queueName }));
    return { batchItemFailures: messages.filter((m) => failures.has(m.messageId)).map((m) => ({ itemIdentifier: m.messageId })) };
  };
}

let defaultHandler: ReturnType<typeof createHandler> | undefined;

/** The Lambda entry point: `dist/lambda.handler`. */
export const handler = (event: SqsEvent, context?: LambdaContext): Promise<BatchResponse> => (defaultHandler ??= createHandler())(event, context);
