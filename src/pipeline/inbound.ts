/**
 * A received message in the pipeline's shape, from either source: a ReceiveMessage
 * result (process-sqs) or a record of a Lambda SQS event. One builder, two readers of
 * the wire shapes, so the two entries cannot read a message differently.
 */
import type { Message, MessageSystemAttributeName } from '@aws-sdk/client-sqs';
import type { Timed } from '../core/tracing.js';
import { messageAttributes } from '../aws/messageAttributes.js';

/** A received message, from ReceiveMessage or from a Lambda SQS event. */
export interface InboundMessage extends Timed {
  messageId: string;
  /** Receipt handle (SQS) or receiptHandle (Lambda event). */
  receiptHandle: string;
  body: string;
  receiveCount: number;
  sentAt?: string;
  groupId?: string;
  /** Message attributes by name, read by aws/messageAttributes.ts's one rule (binary ones as base64). */
  attributes: Record<string, string>;
  /** Message attributes as SQS returned them, copied unchanged to the DLQ. */
  rawAttributes?: Record<string, { DataType?: string; StringValue?: string; BinaryValue?: Uint8Array }>;
  traceId: string;
  /** SQS's AWSTraceHeader (X-Ray), when the message carried one. */
  awsTraceHeader?: string;
}

/** The system attributes the pipeline reads: process-sqs asks SQS for these only. */
export const INBOUND_SYSTEM_ATTRIBUTES: MessageSystemAttributeName[] = [
  'SentTimestamp',
  'ApproximateReceiveCount',
  'MessageGroupId',
  'AWSTraceHeader',
];

/** The fields of a Lambda SQS event record we use. */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string | undefined>;
  messageAttributes?: Record<string, { stringValue?: string; binaryValue?: string; dataType: string }>;
  eventSourceARN: string;
}

type RawAttributes = NonNullable<InboundMessage['rawAttributes']>;

type SystemAttributes = Record<string, string | undefined>;

function build(messageId: string, receiptHandle: string, body: string, system: SystemAttributes, raw: RawAttributes): InboundMessage {
  const attributes = messageAttributes({ MessageAttributes: raw });
  const sent = Number(system.SentTimestamp);
  const m: InboundMessage = {
    messageId,
    receiptHandle,
    body,
    receiveCount: Number(system.ApproximateReceiveCount ?? 1),
    attributes,
    rawAttributes: raw,
    traceId: system.AWSTraceHeader ?? messageId,
  };
  if (Number.isFinite(sent) && sent > 0) m.sentAt = new Date(sent).toISOString();
  if (system.MessageGroupId) m.groupId = system.MessageGroupId;
  if (system.AWSTraceHeader) m.awsTraceHeader = system.AWSTraceHeader;
  return m;
}

export function fromSqsMessage(m: Message): InboundMessage {
  const raw: RawAttributes = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) raw[k] = v;
  return build(m.MessageId ?? '', m.ReceiptHandle ?? '', m.Body ?? '', m.Attributes ?? {}, raw);
}

export function fromLambdaRecord(r: SqsRecord): InboundMessage {
  const raw: RawAttributes = {};
  for (const [k, v] of Object.entries(r.messageAttributes ?? {})) {
    const attr: RawAttributes[string] = { DataType: v.dataType };
    if (v.stringValue !== undefined) attr.StringValue = v.stringValue;
    if (v.binaryValue !== undefined) attr.BinaryValue = Buffer.from(v.binaryValue, 'base64');
    raw[k] = attr;
  }
  return build(r.messageId, r.receiptHandle, r.body, r.attributes, raw);
}
