/** Moving poison to the DLQ: the body byte for byte, its attributes, and why. */
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { sendableAttributes, type QueueRef, type SqsQueues } from '../../aws/queue.js';
import type { Metrics } from '../../core/metrics.js';
import type { ActionLog } from './log.js';
import type { InboundMessage } from './types.js';

/** SQS allows 10 message attributes: our error note is added only if there is room; a redriven message's old note is replaced. */
function dlqAttributes(m: InboundMessage, reason: string): Record<string, MessageAttributeValue> {
  const attrs = sendableAttributes(m.rawAttributes);
  if (Object.keys(attrs).length < 10 || 'sqsops.error' in attrs) attrs['sqsops.error'] = { DataType: 'String', StringValue: reason.slice(0, 1000) };
  return attrs;
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
  for (let i = 0; i < poison.length; i += 10) {
    const chunk = poison.slice(i, i + 10);
    try {
      const out = await queues.sendBatch(
        dlq.url,
        chunk.map(({ m, reason }, j) => ({
          id: String(j),
          body: m.body,
          attributes: dlqAttributes(m, reason),
          // FIFO DLQ: same group; the message id dedups a resend of this same move.
          ...(dlq.fifo ? { groupId: m.groupId ?? 'sqsops', deduplicationId: m.messageId } : {}),
        })),
      );
      for (const { id } of out.successful) {
        const { m, reason } = chunk[Number(id)]!;
        moved.add(m.messageId);
        metrics.inc('MessagesToDLQ');
        log(m.traceId, 'dlq', 'ok', { dlq: dlq.name, reason });
      }
      for (const f of out.failed) {
        metrics.inc('SQSDLQSendError');
        log(chunk[Number(f.id)]!.m.traceId, 'dlq', 'error', { code: f.code, error: f.message });
      }
    } catch (e: unknown) {
      metrics.inc('SQSDLQSendError', chunk.length);
      for (const { m } of chunk) log(m.traceId, 'dlq', 'error', { error: e instanceof Error ? e.message : String(e) });
    }
  }
  return moved;
}
