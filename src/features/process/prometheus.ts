/**
 * A worker's metrics in Prometheus's exposition, with prom-client (loaded only when a
 * metrics port is asked for): the counters the run already keeps (read at each scrape, so
 * they are the summary's own numbers), a processing-latency histogram, what the worker
 * holds now (messages in flight, ledger leases), and the queue's depth and oldest age.
 */
import type { Registry } from 'prom-client';
import { COUNTERS, type Metrics } from '../../core/metrics.js';
import type { RunState } from './observer.js';

/** The queue as last polled; null where it could not be read. */
export interface QueueReading {
  visible: number | null;
  notVisible: number | null;
  delayed: number | null;
  oldestAgeSeconds: number | null;
}

export interface WorkerRegistry {
  registry: Registry;
  /** Each of `count` messages took `seconds` from receipt to acknowledgement. */
  observe(count: number, seconds: number): void;
  /** The run is connected: its state is read at each scrape from now on. */
  attach(state: RunState): void;
}

/** "MessagesToDLQ" -> "messages_to_dlq", "SQSDLQSendError" -> "sqs_dlq_send_error": Prometheus's snake case. */
export function snakeCase(name: string): string {
  return name
    .replace(/DynamoDB|SQS|DLQ/g, (w) => `${w[0]}${w.slice(1).toLowerCase()}`)
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** Seconds from receipt to acknowledgement: a batch's messages are acknowledged together. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export async function workerRegistry(metrics: Metrics, queue: () => QueueReading): Promise<WorkerRegistry> {
  const client = await import('prom-client');
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'sqsops_' });
  const registers = [registry];
  runCounters(client, registers, metrics);
  sinkErrorCounter(client, registers, metrics);
  const latency = new client.Histogram({
    name: 'sqsops_processing_seconds',
    help: 'seconds from receiving a message to acknowledging it (deleted, to the DLQ, or released)',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  let state: RunState | undefined;
  gauges(client, registers, () => state, queue);
  return {
    registry,
    observe(count, seconds) {
      for (let i = 0; i < count; i++) latency.observe(seconds);
    },
    attach(s) {
      state = s;
      registry.setDefaultLabels({ queue: s.queueName });
    },
  };
}

type PromClient = typeof import('prom-client');

/** Counters mirror the run's Metrics: each scrape adds what was counted since the last one. */
function runCounters(client: PromClient, registers: Registry[], metrics: Metrics): void {
  for (const name of COUNTERS) {
    let seen = 0;
    new client.Counter({
      name: `sqsops_${snakeCase(name)}_total`,
      help: `process-sqs ${name}: the count in the run's summary`,
      registers,
      collect() {
        const now = metrics.get(name);
        if (now > seen) this.inc(now - seen);
        seen = now;
      },
    });
  }
}

function sinkErrorCounter(client: PromClient, registers: Registry[], metrics: Metrics): void {
  const sinkSeen = new Map<string, number>();
  new client.Counter({
    name: 'sqsops_sink_errors_total',
    help: 'process-sqs SinkError.<sink>: writes a sink refused, by sink',
    labelNames: ['sink'],
    registers,
    collect() {
      for (const [key, now] of Object.entries(metrics.snapshot())) {
        if (!key.startsWith('SinkError.')) continue;
        const sink = key.slice('SinkError.'.length);
        const seen = sinkSeen.get(sink) ?? 0;
        if (now > seen) this.inc({ sink }, now - seen);
        sinkSeen.set(sink, now);
      }
    },
  });
}

/** What the worker holds now and the queue as last polled, read at each scrape. */
function gauges(client: PromClient, registers: Registry[], stateOf: () => RunState | undefined, queue: () => QueueReading): void {
  const gauge = (name: string, help: string, read: () => number | null | undefined) =>
    new client.Gauge({
      name,
      help,
      registers,
      collect() {
        // Unknown (not connected yet, or not readable) is NaN, never a made-up zero.
        this.set(read() ?? Number.NaN);
      },
    });
  gauge('sqsops_in_flight_messages', 'messages this worker received and has not yet acknowledged', () => stateOf()?.inFlight());
  gauge('sqsops_leases', 'ledger leases this worker holds now', () => stateOf()?.leases());
  gauge('sqsops_pollers', 'pollers receiving now (--concurrency auto grows and shrinks them)', () => stateOf()?.pollers?.());
  gauge('sqsops_queue_visible_messages', "the queue's ApproximateNumberOfMessages, as last polled", () => queue().visible);
  gauge('sqsops_queue_in_flight_messages', "the queue's ApproximateNumberOfMessagesNotVisible (all workers)", () => queue().notVisible);
  gauge('sqsops_queue_delayed_messages', "the queue's ApproximateNumberOfMessagesDelayed", () => queue().delayed);
  gauge(
    'sqsops_queue_oldest_message_age_seconds',
    "CloudWatch's ApproximateAgeOfOldestMessage for the queue",
    () => queue().oldestAgeSeconds,
  );
  // Scale hints: what each poller of this worker has waiting, and the age it should keep under.
  gauge('sqsops_queue_backlog_per_poller', 'visible and delayed messages of the queue over the pollers of this worker', () => {
    const q = queue();
    const pollers = stateOf()?.pollers?.();
    return q.visible === undefined || q.visible === null || !pollers ? undefined : (q.visible + (q.delayed ?? 0)) / pollers;
  });
  gauge(
    'sqsops_target_age_seconds',
    'the oldest-message age --concurrency auto holds the queue under (--target-age)',
    () => stateOf()?.targetAgeSeconds,
  );
}
