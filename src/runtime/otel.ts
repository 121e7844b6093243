/**
 * The tracing port on OpenTelemetry: loaded only when tracing is on (see tracingWanted).
 * The Node SDK reads every OTEL_* variable itself (endpoint, headers, service name,
 * sampler, propagators); we only name the service when OTEL_SERVICE_NAME does not.
 * Settled messages become a consumer span per message, continuing the producer's trace,
 * with a child span per stage, made after the fact from the pipeline's own timings.
 */
import type { Context, Span, Tracer } from '@opentelemetry/api';
import {
  TRACEPARENT,
  traceCarrier,
  type PipelineObserver,
  type ProducerSpan,
  type SettledMessage,
  type StageMark,
  type Tracing,
} from '../core/tracing.js';
import { VERSION } from '../version.js';

type Api = typeof import('@opentelemetry/api');

export interface OtelOptions {
  /** The service name when OTEL_SERVICE_NAME is not set. @default "sqsops" */
  serviceName?: string;
  env?: NodeJS.ProcessEnv;
}

/** An unreachable collector holds the exit at most this long (the exporter retries until its own timeout). */
const SHUTDOWN_MS = 3000;

/** Waits for `work`, at most `ms`: spans may be lost, the run is not held. */
async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  await Promise.race([work.catch(() => undefined), late]);
  clearTimeout(timer);
}

/** performance.now() milliseconds as epoch milliseconds (what a span's time takes). */
const epoch = (t: number) => performance.timeOrigin + t;

export async function startOtelTracing(options: OtelOptions = {}): Promise<Tracing> {
  const env = options.env ?? process.env;
  // The exporter retries an unreachable collector until its timeout (10 s by default), and a command
  // exits only then: ours is shorter, unless the OpenTelemetry variables set one.
  if (!env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT && !env.OTEL_EXPORTER_OTLP_TIMEOUT) {
    process.env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT = String(SHUTDOWN_MS);
  }
  const [{ NodeSDK }, api] = await Promise.all([import('@opentelemetry/sdk-node'), import('@opentelemetry/api')]);
  const sdk = new NodeSDK({
    instrumentations: [],
    ...(env.OTEL_SERVICE_NAME ? {} : { serviceName: options.serviceName ?? 'sqsops' }),
  });
  sdk.start();
  const tracer = api.trace.getTracer('sqsops', VERSION);
  const provider = api.trace.getTracerProvider() as { getDelegate?: () => { forceFlush?: () => Promise<void> } };
  let stopped = false;
  return {
    on: true,
    produce: (destination, parent) => producerSpan(api, tracer, destination, parent),
    observer: consumerSpans(api, tracer),
    // An unreachable collector loses spans, never the run: export errors are not ours to raise.
    flush: async () => {
      const flushing = provider.getDelegate?.().forceFlush?.();
      if (flushing) await bounded(flushing, SHUTDOWN_MS);
    },
    shutdown: async () => {
      if (stopped) return;
      stopped = true;
      await bounded(sdk.shutdown(), SHUTDOWN_MS);
    },
  };
}

function producerSpan(api: Api, tracer: Tracer, destination: string, parent?: Record<string, string>): ProducerSpan {
  const parentContext = parent?.[TRACEPARENT] ? api.propagation.extract(api.ROOT_CONTEXT, parent) : api.ROOT_CONTEXT;
  const span = tracer.startSpan(
    `send ${destination}`,
    {
      kind: api.SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'aws_sqs', 'messaging.operation.type': 'send', 'messaging.destination.name': destination },
    },
    parentContext,
  );
  const carrier: Record<string, string> = {};
  api.propagation.inject(api.trace.setSpan(api.ROOT_CONTEXT, span), carrier);
  return {
    carrier,
    end(error) {
      if (error) span.setStatus({ code: api.SpanStatusCode.ERROR, message: error });
      span.end();
    },
  };
}

function consumerSpans(api: Api, tracer: Tracer): PipelineObserver {
  const stageSpan = (m: StageMark, parent: Context) => {
    const span = tracer.startSpan(
      m.stage,
      { startTime: epoch(m.start), ...(m.counter ? { attributes: { 'sqsops.counter': m.counter } } : {}) },
      parent,
    );
    if (m.error) span.setStatus({ code: api.SpanStatusCode.ERROR, message: m.error });
    span.end(epoch(m.end));
  };
  const messageSpan = (s: SettledMessage) => {
    const start = s.marks.reduce((t, m) => Math.min(t, m.start), Number.POSITIVE_INFINITY);
    const end = s.marks.reduce((t, m) => Math.max(t, m.end), start);
    const now = performance.now();
    const parent = api.propagation.extract(api.ROOT_CONTEXT, traceCarrier(s));
    const span: Span = tracer.startSpan(
      `process ${s.queue}`,
      {
        kind: api.SpanKind.CONSUMER,
        startTime: epoch(Number.isFinite(start) ? start : now),
        attributes: {
          'messaging.system': 'aws_sqs',
          'messaging.operation.type': 'process',
          'messaging.destination.name': s.queue,
          'messaging.message.id': s.messageId,
          'sqsops.outcome': s.outcome,
          'sqsops.counters': s.counters,
        },
      },
      parent,
    );
    if (s.marks.some((m) => m.error)) span.setStatus({ code: api.SpanStatusCode.ERROR, message: s.marks.find((m) => m.error)!.error! });
    const inside = api.trace.setSpan(parent, span);
    for (const m of s.marks) stageSpan(m, inside);
    span.end(epoch(Number.isFinite(end) ? end : now));
  };
  return {
    settled: (messages) => {
      for (const m of messages) messageSpan(m);
    },
  };
}
