/**
 * Tracing as the pipeline sees it: a small port, a no-op by default. The pipeline times its
 * stages into a message's marks (only when someone observes: off costs one check), and
 * hands each settled message to an observer; the OpenTelemetry adapter (runtime/otel.ts)
 * turns them into spans, load turns them into per-stage latencies. Pure, no I/O.
 */

export type SpanAttributes = Record<string, string | number | boolean | string[]>;

/** The message attributes that carry a W3C trace context (SNS and SQS keep them as they are). */
export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

/** One stage of one message's handling, in performance.now() milliseconds. */
export interface StageMark {
  /** receive, claim, sink <name>, complete, dlq, delete. */
  stage: string;
  start: number;
  end: number;
  /** The counter this stage added for the message (MessagesDeleted, SinkError.s3 ...). */
  counter?: string;
  error?: string;
}

/** A message that can be timed: marks is set only while someone observes. */
export interface Timed {
  marks?: StageMark[];
}

/** A message whose fate is settled (deleted, sent to the DLQ, or left on the queue). */
export interface SettledMessage {
  messageId: string;
  queue: string;
  /** String message attributes (the trace context travels in them). */
  attributes: Record<string, string>;
  /** SQS's AWSTraceHeader system attribute, when it carried one. */
  awsTraceHeader?: string;
  /** When SQS accepted it (epoch ms). */
  sentAtMs?: number;
  outcome: string;
  /** Every counter this message added to (MessagesReceived, MessagesSaved, MessagesDeleted ...). */
  counters: string[];
  marks: StageMark[];
}

/** The one timing hook: tracing and load's stage split both read settled messages. */
export interface PipelineObserver {
  settled(messages: SettledMessage[]): void;
}

/** A producer span: its context goes into the message's attributes. */
export interface ProducerSpan {
  /** traceparent (and tracestate) to send as message attributes. */
  readonly carrier: Record<string, string>;
  end(error?: string): void;
}

export interface Tracing {
  readonly on: boolean;
  /** A span for one message sent to `destination`, continuing `parent` (an imported message's context). */
  produce(destination: string, parent?: Record<string, string>): ProducerSpan;
  readonly observer?: PipelineObserver;
  /** Exports what is buffered (a Lambda calls it before returning). */
  flush(): Promise<void>;
  /** Flushes and stops. */
  shutdown(): Promise<void>;
}

const NO_SPAN: ProducerSpan = { carrier: {}, end: () => undefined };

export const NO_TRACING: Tracing = {
  on: false,
  produce: () => NO_SPAN,
  flush: async () => undefined,
  shutdown: async () => undefined,
};

/** Records a stage on each message that is being timed (none: nothing is done). */
export function mark(messages: Timed[], stage: string, start: number, extra?: Pick<StageMark, 'counter' | 'error'>): void {
  let end: number | undefined;
  for (const m of messages) {
    if (!m.marks) continue;
    end ??= performance.now();
    m.marks.push({ stage, start, end, ...extra });
  }
}

/** Several observers as one (undefined when there are none, so the pipeline does not time). */
export function observers(...all: (PipelineObserver | undefined)[]): PipelineObserver | undefined {
  const list = all.filter((o): o is PipelineObserver => o !== undefined);
  if (list.length <= 1) return list[0];
  return {
    settled: (messages) => {
      for (const o of list) o.settled(messages);
    },
  };
}

/**
 * Whether tracing is on: `--trace`, SQSOPS_TRACE, or an OTLP endpoint in the environment;
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off (the OpenTelemetry rules).
 */
export function tracingWanted(env: NodeJS.ProcessEnv, flag?: boolean): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false;
  if (flag !== undefined) return flag;
  const trace = env.SQSOPS_TRACE?.trim().toLowerCase();
  if (trace) return trace === 'true' || trace === '1';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/**
 * X-Ray's `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1` as a
 * W3C traceparent; undefined when it has no parent or is malformed.
 */
export function xrayToTraceparent(header: string): string | undefined {
  const fields = new Map(
    header.split(';').map((part) => {
      const [k = '', v = ''] = part.split('=');
      return [k.trim(), v.trim()] as const;
    }),
  );
  const root = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/i.exec(fields.get('Root') ?? '');
  const parent = fields.get('Parent') ?? '';
  if (!root || !/^[0-9a-f]{16}$/i.test(parent)) return undefined;
  const traceId = `${root[1]}${root[2]}`.toLowerCase();
  if (/^0+$/.test(traceId) || /^0+$/.test(parent)) return undefined;
  return `00-${traceId}-${parent.toLowerCase()}-${fields.get('Sampled') === '0' ? '00' : '01'}`;
}

/** Where a received message's trace continues: its traceparent attribute, else its AWSTraceHeader. */
export function traceCarrier(m: Pick<SettledMessage, 'attributes' | 'awsTraceHeader'>): Record<string, string> {
  const carrier: Record<string, string> = {};
  const parent = m.attributes[TRACEPARENT] ?? (m.awsTraceHeader ? xrayToTraceparent(m.awsTraceHeader) : undefined);
  if (!parent) return carrier;
  carrier[TRACEPARENT] = parent;
  const state = m.attributes[TRACESTATE];
  if (m.attributes[TRACEPARENT] && state) carrier[TRACESTATE] = state;
  return carrier;
}
