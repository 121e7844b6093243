/**
 * The process-sqs pipeline as an AWS Lambda handler for an SQS event source with
 * ReportBatchItemFailures: the same decode → claim → sinks → complete, without
 * receive or delete (Lambda deletes what we do not report). Configured by environment
 * variables (see docs/lambda.md); clients and the pipeline are built once per container.
 */
import { randomUUID } from 'node:crypto';
import { addEnvSecrets, redactError } from './core/redact.js';
import { resolveProcessConfig } from './features/process/config.js';
import { buildPipeline } from './features/process/assemble.js';
import { processEvent, type LambdaRuntime } from './features/process/lambdaBatch.js';
import { createActionLog } from './features/process/log.js';
import type { SqsRecord } from './pipeline/inbound.js';
import { lambdaClients } from './runtime/lambdaClients.js';
import { openTracing } from './runtime/tracing.js';

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

/**
 * A handler bound to an environment (tests pass their own; `handler` uses process.env).
 * `write` takes each log and EMF line. @default console.log (CloudWatch Logs in Lambda)
 */
export function createHandler(env: NodeJS.ProcessEnv = process.env, write: (line: string) => void = (line) => console.log(line)) {
  let runtime: Promise<LambdaRuntime> | undefined;
  const owner = randomUUID();
  addEnvSecrets(env);

  return async function handler(event: SqsEvent, context?: LambdaContext): Promise<BatchResponse> {
    runtime ??= coldStart(env, owner, write).catch((e: unknown) => {
      runtime = undefined; // a failed cold start is retried on the next invocation
      throw redactError(e); // the runtime logs message and stack as they are
    });
    const rt = await runtime;
    const failures = await processEvent(rt, event.Records ?? [], context?.getRemainingTimeInMillis?.());
    // Lambda freezes the process after the return: the spans go out before it.
    await rt.tracing.flush();
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** The same configuration as the CLI's, from the environment alone; a bad variable fails the cold start. */
async function coldStart(env: NodeJS.ProcessEnv, owner: string, write: (line: string) => void): Promise<LambdaRuntime> {
  const config = resolveProcessConfig(env, {}, 'lambda');
  const log = createActionLog(config.logFormat, write);
  const pipeline = await buildPipeline(lambdaClients(env), config, owner, { log, env });
  const tracing = await openTracing(env, { serviceName: env.AWS_LAMBDA_FUNCTION_NAME ?? 'sqsops-lambda' });
  return { pipeline, metrics: config.metrics, tracing, write };
}

let defaultHandler: ReturnType<typeof createHandler> | undefined;

/** The Lambda entry point: `dist/lambda.handler`. */
export const handler = (event: SqsEvent, context?: LambdaContext): Promise<BatchResponse> => {
  defaultHandler ??= createHandler();
  return defaultHandler(event, context);
};
