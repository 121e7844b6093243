/**
 * Moving poison to the DLQ: the body byte for byte, its attributes, and why (the forward
 * of pipeline/forward.ts, sent by pipeline/send.ts). Requests are cut by the one
 * byte-aware batcher (six 200 KB bodies are two requests, not one refused one), and the
 * `sqsops.error` note is shortened to fit the 1 MiB message limit, or left out: a body of
 * exactly 1 MiB still reaches its DLQ, without the note.
 */
import type { QueueRef, SqsQueues } from '../../aws/queue.js';
import type { Metrics } from '../../core/metrics.js';
import { redact } from '../../core/redact.js';
import { mark } from '../../core/tracing.js';
import { forward, type ForwardEntry } from '../../pipeline/forward.js';
import type { InboundMessage } from '../../pipeline/inbound.js';
import { sendAll } from '../../pipeline/send.js';
import type { ActionLog } from './log.js';

export const ERROR_ATTRIBUTE = 'sqsops.error';

interface DlqEntry extends ForwardEntry {
  m: InboundMessage;
  reason: string;
}

function dlqEntry(dlq: QueueRef, { m, reason }: { m: InboundMessage; reason: string }, i: number): DlqEntry {
  // Stored where others read it: redacted like any log line. A redriven message's old note is replaced.
  const note = redact(reason).slice(0, 1000);
  const entry = forward(dlq, { ...m, attributes: m.rawAttributes }, i, [[ERROR_ATTRIBUTE, note]]);
  return { ...entry, m, reason };
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
  let t0 = performance.now();
  const sent = (entries: DlqEntry[]) => {
    for (const { m, reason } of entries) {
      mark([m], 'dlq', t0, { counter: 'MessagesToDLQ' });
      moved.add(m.messageId);
      metrics.inc('MessagesToDLQ');
      log(m.traceId, 'dlq', 'ok', { dlq: dlq.name, reason });
    }
  };
  const failed = ({ m }: DlqEntry, code: string, error: string) => {
    // TooLarge: only a message SQS itself would not take (over 1 MiB as received); it stays for the redrive policy.
    metrics.inc('SQSDLQSendError');
    mark([m], 'dlq', t0, { counter: 'SQSDLQSendError', error: code === 'TooLarge' ? 'over 1 MiB' : error });
    log(m.traceId, 'dlq', 'error', { code, error });
  };
  const entries = poison.map((p, i) => dlqEntry(dlq, p, i));
  const beforeAttempt = () => {
    t0 = performance.now();
  };
  // Group order is the source's redelivery to keep: a message that fails here stays there.
  await sendAll((batch) => queues.sendBatch(dlq.url, batch), entries, { beforeAttempt, sent, failed }, { keepGroupOrder: false });
  return moved;
}
