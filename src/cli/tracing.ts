/**
 * Tracing for a command: off unless --trace, SQSOPS_TRACE or an OTLP endpoint says so; off,
 * the OpenTelemetry packages are never loaded (the no-op port stands in for them).
 */
import { NO_TRACING, tracingWanted, type Tracing } from '../core/tracing.js';

export async function openTracing(flag: boolean | undefined, env: NodeJS.ProcessEnv): Promise<Tracing> {
  if (!tracingWanted(env, flag)) return NO_TRACING;
  const { startOtelTracing } = await import('../runtime/otel.js');
  return startOtelTracing({ env });
}
