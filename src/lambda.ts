/**
 * The process-sqs pipeline as an AWS Lambda handler for an SQS event source with
 * ReportBatchItemFailures: the same decode → claim → sinks → complete, without
 * receive or delete (Lambda deletes what we do not report). Configured by environment
 * variables (see docs/lambda.md); clients and the pipeline are built once per container.
 */
import { randomUUID } from 'node:crypto';
import { chooseTarget } from './aws/target.js';
import { createClients, type AwsClients } from './aws/clients.js';
import { queueConsumer } from './core/consumer.js';
import { emfLine, Metrics } from './core/metrics.js';
import { addEnvSecrets, redactError } from './core/redact.js';
import { NO_TRACING, tracingWanted, type Tracing } from './core/tracing.js';
import { resolveProcessConfig, type MetricsFormat } from './features/process/config.js';
import { buildPipeline, type Pipeline } from './features/process/assemble.js';
import { batchItemFailures } from './features/process/lambdaAck.js';
import { createActionLog } from './features/process/log.js';
import { settle, startTiming } from './features/process/observe.js';
import { processBatch } from './features/process/processBatch.js';
import { fromLambdaRecord, type SqsRecord } from './pipeline/inbound.js';

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

/** What a container keeps between invocations. */
interface Runtime {
  pipeline: Pipeline;
  metrics: MetricsFormat;
  tracing: Tracing;
}

/**
 * A handler bound to an environment (tests pass their own; `handler` uses process.env).
 * `write` takes each log and EMF line. @default console.log (CloudWatch Logs in Lambda)
 */
export function createHandler(env: NodeJS.ProcessEnv = process.env, write: (line: string) => void = (line) => console.log(line)) {
  let runtime: Promise<Runtime> | undefined;
  const owner = randomUUID();
  addEnvSecrets(env);

  return async function handler(event: SqsEvent, context?: LambdaContext): Promise<BatchResponse> {
    runtime ??= coldStart(env, owner, write).catch((e: unknown) => {
      runtime = undefined; // a failed cold start is retried on the next invocation
      throw redactError(e); // the runtime logs message and stack as they are
    });
    const rt = await runtime;
    const failures: string[] = [];
    // Lambda sends one queue's records per event; a mixed event is still processed per queue (consumer).
    for (const [arn, records] of byQueue(event.Records ?? [])) failures.push(...(await handleQueue(rt, arn, records, context, write)));
    // Lambda freezes the process after the return: the spans go out before it.
    await rt.tracing.flush();
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** The same configuration as the CLI's, from the environment alone; a bad variable fails the cold start. */
async function coldStart(env: NodeJS.ProcessEnv, owner: string, write: (line: string) => void): Promise<Runtime> {
  const config = resolveProcessConfig(env, {}, 'lambda');
  const log = createActionLog(config.logFormat, write);
  const pipeline = await buildPipeline(lambdaClients(env), config, owner, { log, env });
  return { pipeline, metrics: config.metrics, tracing: await openTracing(env) };
}

/** Lambda puts the role's credentials in the environment; read them from the env we were given. */
function lambdaClients(env: NodeJS.ProcessEnv): AwsClients {
  const choice = chooseTarget({}, env);
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }
      : undefined;
  const base = choice.kind === 'aws' ? choice : { kind: 'aws' as const, region: choice.region, endpoints: {}, reason: 'Lambda' };
  return createClients({ ...base, credentials });
}

/** OpenTelemetry when the environment asks for it (SQSOPS_TRACE, OTEL_EXPORTER_OTLP_*), loaded only then. */
async function openTracing(env: NodeJS.ProcessEnv): Promise<Tracing> {
  if (!tracingWanted(env)) return NO_TRACING;
  const { startOtelTracing } = await import('./runtime/otel.js');
  return startOtelTracing({ env, serviceName: env.AWS_LAMBDA_FUNCTION_NAME ?? 'sqsops-lambda' });
}

function byQueue(records: SqsRecord[]): Map<string, SqsRecord[]> {
  const groups = new Map<string, SqsRecord[]>();
  for (const r of records) groups.set(r.eventSourceARN, [...(groups.get(r.eventSourceARN) ?? []), r]);
  return groups;
}

/** One queue's records: processed for its consumer; the ids to report as failed. */
async function handleQueue(
  rt: Runtime,
  arn: string,
  records: SqsRecord[],
  context: LambdaContext | undefined,
  write: (line: string) => void,
): Promise<string[]> {
  const name = queueConsumer(arn);
  const metrics = new Metrics();
  const messages = records.map(fromLambdaRecord);
  startTiming(messages, rt.tracing.observer);
  const config = rt.pipeline.configFor(
    { name, fifo: name.endsWith('.fifo') },
    // The lease outlives this invocation's remaining time (SQS would redeliver after it anyway).
    { metrics, leaseMs: Math.max(30_000, context?.getRemainingTimeInMillis?.() ?? 900_000), stopAtFirstFailure: true },
  );
  const outcomes = await processBatch(messages, config);
  const failures = await batchItemFailures(messages, outcomes, rt.pipeline, config);
  if (rt.metrics === 'emf') write(emfLine(metrics.snapshot(), { Queue: name }));
  settle(messages, outcomes, name, rt.tracing.observer);
  return failures;
}

let defaultHandler: ReturnType<typeof createHandler> | undefined;

/** The Lambda entry point: `dist/lambda.handler`. */
export const handler = (event: SqsEvent, context?: LambdaContext): Promise<BatchResponse> => {
  defaultHandler ??= createHandler();
  return defaultHandler(event, context);
};
