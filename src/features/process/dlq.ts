/**
 * Moving poison to the DLQ: the body byte for byte, its attributes, and why. Requests are
 * cut by the one byte-aware batcher (six 200 KB bodies are two requests, not one refused
 * one), and the `sqsops.error` note is shortened to fit the 1 MiB message limit, or left
 * out: a body of exactly 1 MiB still reaches its DLQ, without the note.
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { sendableAttributes, type QueueRef, type SendEntry, type SqsQueues } from '../../aws/queue.js';
import { messageBytes, planBatches, withStringAttribute } from '../../core/batching.js';
import type { Metrics } from '../../core/metrics.js';
import { redact } from '../../core/redact.js';
import type { ActionLog } from './log.js';
import type { InboundMessage } from '../../pipeline/inbound.js';
import { mark } from '../../core/tracing.js';

export const ERROR_ATTRIBUTE = 'sqsops.error';

interface DlqEntry extends SendEntry {
  bytes: number;
  m: InboundMessage;
  reason: string;
}

function dlqEntry(dlq: QueueRef, { m, reason }: { m: InboundMessage; reason: string }, i: number): DlqEntry {
  // Stored where others read it: redacted like any log line. A redriven message's old note is replaced.
  const note = redact(reason).slice(0, 1000);
  const received = sendableAttributes(m.rawAttributes);
  const attributes = withStringAttribute(m.body, received, ERROR_ATTRIBUTE, note) as Record<string, MessageAttributeValue>;
  const entry: DlqEntry = { id: String(i), body: m.body, attributes, bytes: messageBytes(m.body, attributes), m, reason };
  if (dlq.fifo) {
    // FIFO DLQ: same group; the message id dedups a resend of this same move.
    entry.groupId = m.groupId ?? 'sqsops';
    entry.deduplicationId = m.messageId;
  }
  return entry;
}

/** Sends poison to the DLQ; returns the ids of the messages now safely there (only those may be deleted). */
export async function acknowledgePoisonToDlq(
  queues: SqsQueues,
  dlq: QueueRef,
  poison: { m: InboundMessage; reason: string }[],
  metrics: Metrics,
  log: ActionLog,
): Promise<Set<string>> {
  const moved = new Set<string>();
  const { batches, oversized } = planBatches(poison.map((p, i) => dlqEntry(dlq, p, i)));
  for (const { m, bytes } of oversized) {
    // Only a message SQS itself would not take (over 1 MiB as received); it stays for the redrive policy.
    metrics.inc('SQSDLQSendError');
    mark([m], 'dlq', performance.now(), { counter: 'SQSDLQSendError', error: 'over 1 MiB' });
    log(m.traceId, 'dlq', 'error', { code: 'TooLarge', error: `${bytes} bytes with its attributes: over SQS's 1 MiB limit` });
  }
  for (const batch of batches) {
    const t0 = performance.now();
    try {
      const out = await queues.sendBatch(dlq.url, batch);
      const byId = new Map(batch.map((e) => [e.id, e]));
      for (const { id } of out.successful) {
        const { m, reason } = byId.get(id)!;
        mark([m], 'dlq', t0, { counter: 'MessagesToDLQ' });
        moved.add(m.messageId);
        metrics.inc('MessagesToDLQ');
        log(m.traceId, 'dlq', 'ok', { dlq: dlq.name, reason });
      }
      for (const f of out.failed) {
        metrics.inc('SQSDLQSendError');
        mark([byId.get(f.id)!.m], 'dlq', t0, { counter: 'SQSDLQSendError', error: f.message || f.code });
        log(byId.get(f.id)!.m.traceId, 'dlq', 'error', { code: f.code, error: f.message });
      }
    } catch (e: unknown) {
      metrics.inc('SQSDLQSendError', batch.length);
      mark(
        batch.map((b) => b.m),
        'dlq',
        t0,
        { counter: 'SQSDLQSendError', error: e instanceof Error ? e.message : String(e) },
      );
      for (const { m } of batch) log(m.traceId, 'dlq', 'error', { error: e instanceof Error ? e.message : String(e) });
    }
  }
  return moved;
}
