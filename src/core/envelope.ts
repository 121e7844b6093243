/**
 * Decoding a message body: unwrap an SNS notification envelope (subscriptions without
 * raw delivery wrap the published message in one), then parse JSON. Pure.
 */

export interface SnsInfo {
  topicArn: string;
  messageId?: string;
  subject?: string;
  attributes?: Record<string, string>;
}

export type Decoded = { ok: true; body: unknown; text: string; sns?: SnsInfo } | { ok: false; reason: string; sns?: SnsInfo };

function snsEnvelope(value: unknown): { message: string; sns: SnsInfo } | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (v.Type !== 'Notification' || typeof v.TopicArn !== 'string' || typeof v.Message !== 'string') return undefined;
  const attributes: Record<string, string> = {};
  if (v.MessageAttributes && typeof v.MessageAttributes === 'object') {
    for (const [k, a] of Object.entries(v.MessageAttributes as Record<string, { Value?: unknown }>)) {
      if (typeof a?.Value === 'string') attributes[k] = a.Value;
    }
  }
  return {
    message: v.Message,
    sns: {
      topicArn: v.TopicArn,
      ...(typeof v.MessageId === 'string' ? { messageId: v.MessageId } : {}),
      ...(typeof v.Subject === 'string' ? { subject: v.Subject } : {}),
      ...(Object.keys(attributes).length ? { attributes } : {}),
    },
  };
}

export function decodeBody(raw: string): Decoded {
  let outer: unknown;
  try {
    outer = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  const envelope = snsEnvelope(outer);
  if (!envelope) return { ok: true, body: outer, text: raw };
  try {
    return { ok: true, body: JSON.parse(envelope.message), text: envelope.message, sns: envelope.sns };
  } catch {
    return { ok: false, reason: 'the SNS message inside the envelope is not JSON', sns: envelope.sns };
  }
}
