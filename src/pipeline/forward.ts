/**
 * Sending DLQ messages on to their destination for the manual move: the body byte for
 * byte, every message attribute, the FIFO group, and the DLQ message id as the
 * deduplication id (a resend after a crash within SQS's 5-minute window is dropped by
 * a FIFO destination). Requests stay under SQS's 10-entry and 1 MiB caps, in order.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { sendableAttributes, type QueueRef, type SendEntry, type SqsQueues } from '../aws/queue.js';
import { messageBytes, planBatches } from '../core/batching.js';
import { SqsopsError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { retryRemaining } from '../core/retry.js';

/** FIFO: the group a message from a standard DLQ goes to. */
export const DEFAULT_GROUP = 'sqsops';
const MAX_ATTEMPTS = 5;

export interface MoveEntry extends SendEntry {
  messageId: string;
  bytes: number;
}

export interface SendOutcome {
  /** DLQ message ids now at the destination. */
  sentIds: string[];
  failed: { messageId: string; code: string; reason: string }[];
  /** FIFO: not sent because an earlier message of their group failed (order comes first). */
  skipped: string[];
  /** Set when the destination cannot be reached or refused the caller: the run stops. */
  stoppedBy?: string;
}

/** Builds the send entry for one DLQ message. */
export const toEntry =
  (destination: QueueRef) =>
  (m: Message, i: number): MoveEntry => {
    const copied = sendableAttributes(m.MessageAttributes);
    const attributes = Object.keys(copied).length ? copied : undefined;
    const body = m.Body ?? '';
    const messageId = m.MessageId ?? '';
    return {
      id: String(i),
      messageId,
      body,
      attributes,
      ...(destination.fifo ? { groupId: m.Attributes?.MessageGroupId ?? DEFAULT_GROUP, deduplicationId: messageId } : {}),
      bytes: messageBytes(body, attributes),
    };
  };

/**
 * Sends entries in order; retries what SQS says may succeed; never throws for a send.
 * `onSent` hears the DLQ ids of each accepted batch synchronously, as soon as SQS answers.
 */
export async function sendMoved(
  queues: SqsQueues,
  destination: QueueRef,
  entries: MoveEntry[],
  onSent?: (dlqMessageIds: string[]) => void,
): Promise<SendOutcome> {
  const out: SendOutcome = { sentIds: [], failed: [], skipped: [] };
  const notSent = (entries: MoveEntry[]) => {
    for (const e of entries) out.failed.push({ messageId: e.messageId, code: 'NotSent', reason: `not sent: ${out.stoppedBy}` });
  };
  const failedGroups = new Set<string>();
  const { batches, oversized } = planBatches(entries);
  for (const e of oversized) {
    out.failed.push({ messageId: e.messageId, code: 'TooLarge', reason: `${e.bytes} bytes with its attributes: over SQS's 1 MiB limit` });
    if (e.groupId) failedGroups.add(e.groupId);
  }
  for (const planned of batches) {
    const pending = planned.filter((e) => {
      if (destination.fifo && e.groupId && failedGroups.has(e.groupId)) {
        out.skipped.push(e.messageId);
        return false;
      }
      return true;
    });
    if (out.stoppedBy) {
      notSent(pending);
      continue;
    }
    const { left, error } = await retryRemaining(
      pending,
      async (remaining, attempt) => {
        const res = await queues.sendBatch(destination.url, remaining);
        const byId = new Map(remaining.map((e) => [e.id, e]));
        const accepted = res.successful.map((s) => byId.get(s.id)!.messageId);
        onSent?.(accepted);
        out.sentIds.push(...accepted);
        const retry: MoveEntry[] = [];
        for (const f of res.failed) {
          const e = byId.get(f.id)!;
          if (!f.senderFault && attempt < MAX_ATTEMPTS) {
            retry.push(e);
            continue;
          }
          out.failed.push({ messageId: e.messageId, code: f.code, reason: f.message || f.code });
          if (e.groupId) failedGroups.add(e.groupId);
        }
        return retry;
      },
      // A user-facing error (no queue, no access, unreachable) will not heal by retrying.
      { maxAttempts: MAX_ATTEMPTS, baseMs: 100, capMs: 5000, isFatal: (e) => e instanceof SqsopsError },
    );
    if (error !== undefined) {
      out.stoppedBy = redact(error instanceof Error ? error.message : String(error));
      notSent(left);
    }
  }
  return out;
}
