/**
 * The Lambda's acknowledgement of one queue's batch (ReportBatchItemFailures): Lambda deletes
 * what is not reported, so poison goes to the DLQ named by SQSOPS_DLQ_URL first (reported when
 * that fails or none is named), and every other unfinished message is reported. On FIFO
 * everything after the first reported message is reported too, to keep its group's order.
 */
import type { InboundMessage } from '../../pipeline/inbound.js';
import type { Pipeline } from './assemble.js';
import { acknowledgePoisonToDlq } from './dlq.js';
import type { Outcome, PipelineConfig } from './types.js';

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
