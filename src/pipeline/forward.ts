/**
 * Forwarding a received message to another queue (move, redrive-dlq, the process DLQ
 * step, the tasks rejects queue): the body byte for byte, its attributes, notes of ours
 * (`sqsops.error`, ...) each shortened to keep the message within SQS's 1 MiB, and on a
 * FIFO destination its group (a default one for a message from a standard queue) and
 * its source message id as the deduplication id (a resend after a crash within SQS's
 * 5-minute window is dropped by a FIFO destination).
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { sendableAttributes, type QueueRef, type SendEntry, type SqsQueues } from '../aws/queue.js';
import { messageBytes, withStringAttribute, type AttributeValueLike } from '../core/batching.js';
import { sendAll } from './send.js';

/** FIFO: the group a message from a standard queue goes to. */
export const DEFAULT_GROUP = 'sqsops';

/** A received message, as forwarding needs it. */
export interface Forwardable {
  messageId: string;
  body: string;
  attributes?: Record<string, AttributeValueLike> | undefined;
  groupId?: string | undefined;
}

export interface ForwardEntry extends SendEntry {
  /** The source message's id. */
  messageId: string;
  bytes: number;
}

/** A note of ours to add as a string attribute, in order (the first is the last to be shortened away). */
export type Note = [name: string, value: string];

/** The send entry (batch id `i`) that forwards one received message to `destination`. */
export function forward(destination: QueueRef, m: Forwardable, i: number, notes: Note[] = []): ForwardEntry {
  let attributes: Record<string, AttributeValueLike> = sendableAttributes(m.attributes);
  for (const [name, value] of notes) attributes = withStringAttribute(m.body, attributes, name, value);
  const sendable = Object.keys(attributes).length ? (attributes as Record<string, MessageAttributeValue>) : undefined;
  return {
    id: String(i),
    messageId: m.messageId,
    body: m.body,
    attributes: sendable,
    ...(destination.fifo ? { groupId: m.groupId ?? DEFAULT_GROUP, deduplicationId: m.messageId } : {}),
    bytes: messageBytes(m.body, sendable),
  };
}

/** An SDK message as forwarding reads it. */
export const received = (m: Message): Forwardable => ({
  messageId: m.MessageId ?? '',
  body: m.Body ?? '',
  attributes: m.MessageAttributes,
  groupId: m.Attributes?.MessageGroupId,
});

export interface SendOutcome {
  /** Source message ids now at the destination. */
  sentIds: string[];
  failed: { messageId: string; code: string; reason: string }[];
  /** FIFO: not sent because an earlier message of their group failed (order comes first). */
  skipped: string[];
  /** Set when the destination cannot be reached or refused the caller: the run stops. */
  stoppedBy?: string;
}

/**
 * Forwards received messages in order; never throws for a send. `onSent` hears the source
 * ids of each accepted batch synchronously, as soon as SQS answers.
 */
export async function forwardMessages(
  queues: SqsQueues,
  destination: QueueRef,
  messages: Message[],
  onSent?: (sourceIds: string[]) => void,
): Promise<SendOutcome> {
  const out: SendOutcome = { sentIds: [], failed: [], skipped: [] };
  const entries = messages.map((m, i) => forward(destination, received(m), i));
  const { stoppedBy } = await sendAll(
    (batch) => queues.sendBatch(destination.url, batch),
    entries,
    {
      sent: (accepted) => {
        const ids = accepted.map((e) => e.messageId);
        onSent?.(ids);
        out.sentIds.push(...ids);
      },
      failed: ({ messageId }, code, reason) => out.failed.push({ messageId, code, reason }),
      skipped: (e) => out.skipped.push(e.messageId),
    },
    { keepGroupOrder: destination.fifo },
  );
  if (stoppedBy !== undefined) out.stoppedBy = stoppedBy;
  return out;
}
