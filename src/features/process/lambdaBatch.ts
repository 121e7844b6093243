/**
 * One Lambda SQS event, processed: its records grouped by queue (each queue its own consumer),
 * each group run through the pipeline, then acknowledged as ReportBatchItemFailures asks.
 * Lambda deletes what is not reported, so poison goes to the DLQ named by SQSOPS_DLQ_URL first
 * (reported when that fails or none is named), and every other unfinished message is reported.
 * On FIFO everything after the first reported message is reported too, to keep its group's order.
 */
import { queueConsumer } from '../../core/consumer.js';
import { emfLine, Metrics } from '../../core/metrics.js';
import type { Tracing } from '../../core/tracing.js';
import { fromLambdaRecord, type InboundMessage, type SqsRecord } from '../../pipeline/inbound.js';
import type { Pipeline } from './assemble.js';
import type { MetricsFormat } from './config.js';
import { acknowledgePoisonToDlq } from './dlq.js';
import { settle, startTiming } from './observe.js';
import { processBatch } from './processBatch.js';
import type { Outcome, PipelineConfig } from './types.js';

/** What a container keeps between invocations. */
export interface LambdaRuntime {
  pipeline: Pipeline;
  metrics: MetricsFormat;
  tracing: Tracing;
  /** Takes each log and EMF line (CloudWatch Logs in Lambda). */
  write: (line: string) => void;
}

/** The event's records, processed queue by queue: the ids to report as failed. */
export async function processEvent(rt: LambdaRuntime, records: SqsRecord[], remainingMs: number | undefined): Promise<string[]> {
  const failures: string[] = [];
  // Lambda sends one queue's records per event; a mixed event is still processed per queue (consumer).
  for (const [arn, group] of byQueue(records)) failures.push(...(await processQueue(rt, arn, group, remainingMs)));
  return failures;
}

function byQueue(records: SqsRecord[]): Map<string, SqsRecord[]> {
  const groups = new Map<string, SqsRecord[]>();
  for (const r of records) groups.set(r.eventSourceARN, [...(groups.get(r.eventSourceARN) ?? []), r]);
  return groups;
}

/** One queue's records: processed for its consumer; the ids to report as failed. */
async function processQueue(rt: LambdaRuntime, arn: string, records: SqsRecord[], remainingMs: number | undefined): Promise<string[]> {
  const name = queueConsumer(arn);
  const metrics = new Metrics();
  const messages = records.map(fromLambdaRecord);
  startTiming(messages, rt.tracing.observer);
  const config = rt.pipeline.configFor(
    { name, fifo: name.endsWith('.fifo') },
    // The lease outlives this invocation's remaining time (SQS would redeliver after it anyway).
    { metrics, leaseMs: Math.max(30_000, remainingMs ?? 900_000), stopAtFirstFailure: true },
  );
  const outcomes = await processBatch(messages, config);
  const failures = await batchItemFailures(messages, outcomes, rt.pipeline, config);
  if (rt.metrics === 'emf') rt.write(emfLine(metrics.snapshot(), { Queue: name }));
  settle(messages, outcomes, name, rt.tracing.observer);
  return failures;
}

/** The ids of the messages to report as failed, in the batch's order. */
export async function batchItemFailures(
  messages: InboundMessage[],
  outcomes: Outcome[],
  pipeline: Pipeline,
  config: PipelineConfig,
): Promise<string[]> {
  const { dlq, queues } = pipeline;
  const { fifo, metrics, log } = config;
  const failures = new Set<string>();
  const poison: { m: InboundMessage; reason: string }[] = [];
  outcomes.forEach((o, i) => {
    const m = messages[i]!;
    if (o.kind === 'poison' && dlq) poison.push({ m, reason: o.reason });
    else if (o.kind !== 'saved' && o.kind !== 'duplicate' && o.kind !== 'rejected') failures.add(m.messageId);
  });
  if (poison.length && dlq) {
    const sent = await acknowledgePoisonToDlq(queues, dlq, poison, metrics, log);
    for (const { m } of poison) if (!sent.has(m.messageId)) failures.add(m.messageId);
  }
  if (fifo) {
    const first = messages.findIndex((m) => failures.has(m.messageId));
    if (first >= 0) for (const m of messages.slice(first)) failures.add(m.messageId);
  }
  return messages.filter((m) => failures.has(m.messageId)).map((m) => m.messageId);
}
