/**
 * The process-sqs pipeline as an AWS Lambda handler for an SQS event source with
 * ReportBatchItemFailures: the same decode → claim → sinks → complete, without
 * receive or delete (Lambda deletes what we do not report). Configured by environment
 * variables (see docs/lambda.md); clients and sinks are built once per container.
 */
import { randomUUID } from 'node:crypto';
import { chooseTarget } from './aws/target.js';
import { createClients } from './aws/clients.js';
import { Ledger } from './aws/ledger.js';
import type { SqsQueues, QueueRef } from './aws/queue.js';
import { queueConsumer } from './core/consumer.js';
import { compileKey, type KeyFn } from './core/keys.js';
import { emfLine, Metrics } from './core/metrics.js';
import { addEnvSecrets, redactError } from './core/redact.js';
import { resolveProcessConfig, type ProcessConfig } from './features/process/config.js';
import { fromLambdaRecord, type SqsRecord } from './pipeline/inbound.js';
import { createActionLog, type ActionLog } from './features/process/log.js';
import { payloadHook, type PayloadHook } from './pipeline/payloads.js';
import { processBatch } from './features/process/processBatch.js';
import { acknowledgePoisonToDlq } from './features/process/dlq.js';
import type { SchemaCheck } from './pipeline/schema.js';
import type { InboundMessage } from './pipeline/inbound.js';
import type { Outcome, PipelineConfig } from './features/process/types.js';
import type { Sink } from './pipeline/sink.js';
import { wireProcess } from './features/process/wire.js';
import { settle, startTiming } from './features/process/observe.js';
import { NO_TRACING, tracingWanted, type Tracing } from './core/tracing.js';
import { sqsQueues } from './pipeline/resources.js';

export type { SqsRecord };
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
  config: ProcessConfig;
  keyOf: KeyFn;
  log: ActionLog;
  sinks: Sink[];
  ledger?: Ledger;
  schema: SchemaCheck;
  dlq?: QueueRef;
  queues: SqsQueues;
  payloads: PayloadHook;
  tracing: Tracing;
}

/** OpenTelemetry when the environment asks for it (SQSOPS_TRACE, OTEL_EXPORTER_OTLP_*), loaded only then. */
async function openTracing(env: NodeJS.ProcessEnv): Promise<Tracing> {
  if (!tracingWanted(env)) return NO_TRACING;
  const { startOtelTracing } = await import('./runtime/otel.js');
  return startOtelTracing({ env, serviceName: env.AWS_LAMBDA_FUNCTION_NAME ?? 'sqsops-lambda' });
}

/**
 * A handler bound to an environment (tests pass their own; `handler` uses process.env).
 * `write` takes each log and EMF line. @default console.log (CloudWatch Logs in Lambda)
 */
export function createHandler(env: NodeJS.ProcessEnv = process.env, write: (line: string) => void = (line) => console.log(line)) {
  let runtime: Promise<Runtime> | undefined;
  const owner = randomUUID();
  addEnvSecrets(env);

  const init = async (): Promise<Runtime> => {
    // The same configuration as the CLI's, from the environment alone; a bad variable fails the
    // cold start (its error redacted like any other).
    const config = resolveProcessConfig(env, {}, 'lambda');
    const keyOf = compileKey(config.key);
    const log = createActionLog(config.logFormat, write);
    const choice = chooseTarget({}, env);
    // Lambda puts the role's credentials in the environment; read them from the env we were given.
    const credentials =
      env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }
        : undefined;
    const base = choice.kind === 'aws' ? choice : { kind: 'aws' as const, region: choice.region, endpoints: {}, reason: 'Lambda' };
    const clients = createClients({ ...base, credentials });
    const { schema, sinks } = await wireProcess(clients, config, { owner, env });
    for (const s of sinks) await s.open?.();
    const queues = await sqsQueues(clients);
    const payloads = payloadHook(clients, { keep: config.keepPayloads });
    const rt: Runtime = { config, keyOf, log, sinks, queues, schema, payloads, tracing: await openTracing(env) };
    // The Lambda does not resolve a redrive target: poison goes where SQSOPS_DLQ_URL says, else it is reported.
    if (config.dlq) rt.dlq = await queues.describe(config.dlq);
    if (config.ledgerTable !== false) {
      rt.ledger = new Ledger(await clients.dynamodb(), config.ledgerTable, undefined, clients.endpointOf('dynamodb'));
    }
    return rt;
  };

  return async function handler(event: SqsEvent, context?: LambdaContext): Promise<BatchResponse> {
    runtime ??= init().catch((e: unknown) => {
      runtime = undefined; // a failed cold start is retried on the next invocation
      throw redactError(e); // the runtime logs message and stack as they are
    });
    const rt = await runtime;
    const records = event.Records ?? [];
    // Lambda sends one queue's records per event; a mixed event is still processed per queue (consumer).
    const failures: BatchResponse['batchItemFailures'] = [];
    const byQueue = new Map<string, SqsRecord[]>();
    for (const r of records) {
      const group = byQueue.get(r.eventSourceARN);
      if (group) group.push(r);
      else byQueue.set(r.eventSourceARN, [r]);
    }
    for (const [arn, group] of byQueue) failures.push(...(await handleQueue(rt, arn, group, context)));
    // Lambda freezes the process after the return: the spans go out before it.
    await rt.tracing.flush();
    return { batchItemFailures: failures };
  };

  /** One queue's records: processed for its consumer; the ones to report as failed. */
  async function handleQueue(
    rt: Runtime,
    arn: string,
    records: SqsRecord[],
    context: LambdaContext | undefined,
  ): Promise<BatchResponse['batchItemFailures']> {
    const queueName = queueConsumer(arn);
    const fifo = queueName.endsWith('.fifo');
    const metrics = new Metrics();
    const messages = records.map(fromLambdaRecord);
    const { config, keyOf, log } = rt;
    startTiming(messages, rt.tracing.observer);
    const pipeline: PipelineConfig = {
      queueName,
      consumer: config.consumer ?? queueName,
      fifo,
      stopAtFirstFailure: true,
      keyOf,
      validate: rt.schema.validate,
      ledger: rt.ledger,
      sinks: rt.sinks,
      owner,
      // The lease outlives this invocation's remaining time (SQS would redeliver after it anyway).
      leaseMs: Math.max(30_000, context?.getRemainingTimeInMillis?.() ?? 900_000),
      ttlSeconds: config.ttlDays * 86_400,
      metrics,
      log,
      payloads: rt.payloads,
    };
    const outcomes: Outcome[] = await processBatch(messages, pipeline);

    const failures = new Set<string>();
    const poison: { m: InboundMessage; reason: string }[] = [];
    outcomes.forEach((o, i) => {
      const m = messages[i]!;
      if (o.kind === 'poison' && rt.dlq) poison.push({ m, reason: o.reason });
      else if (o.kind !== 'saved' && o.kind !== 'duplicate' && o.kind !== 'rejected') failures.add(m.messageId);
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
    if (config.metrics === 'emf') write(emfLine(metrics.snapshot(), { Queue: queueName }));
    settle(messages, outcomes, queueName, rt.tracing.observer);
    return messages.filter((m) => failures.has(m.messageId)).map((m) => ({ itemIdentifier: m.messageId }));
  }
}

let defaultHandler: ReturnType<typeof createHandler> | undefined;

/** The Lambda entry point: `dist/lambda.handler`. */
export const handler = (event: SqsEvent, context?: LambdaContext): Promise<BatchResponse> => {
  defaultHandler ??= createHandler();
  return defaultHandler(event, context);
};
