/**
 * Tracing for a command or the Lambda: off unless --trace, SQSOPS_TRACE or an OTLP endpoint says
 * so; off, the OpenTelemetry packages are never loaded (the no-op port stands in for them).
 */
import { NO_TRACING, tracingWanted, type Tracing } from '../core/tracing.js';

export async function openTracing(env: NodeJS.ProcessEnv, options: { flag?: boolean; serviceName?: string } = {}): Promise<Tracing> {
  if (!tracingWanted(env, options.flag)) return NO_TRACING;
  const { startOtelTracing } = await import('./otel.js');
  return startOtelTracing(options.serviceName ? { env, serviceName: options.serviceName } : { env });
}
