/**
 * Reading a received message, the one way process-sqs, the Lambda and consume all do:
 * a large-payload pointer becomes its body first, then decode (an SNS envelope is
 * unwrapped), validate (the schema, with the template mark the producer set), key, and
 * hash what the producer sent. So a message is keyed, checked and hashed the same by
 * every command, and one's ledger record is the other's duplicate.
 */
import { createHash } from 'node:crypto';
import { decodeBody, type SnsInfo } from '../core/envelope.js';
import type { KeyFn } from '../core/keys.js';
import type { PayloadPointer } from '../core/payloadPointer.js';
import type { InboundMessage } from './inbound.js';
import type { PayloadHook } from './payloads.js';
import type { Validate } from './schema.js';

export interface IntakeRules {
  keyOf: KeyFn;
  /** A reason when the decoded body is invalid; undefined: no schema. */
  validate?: Validate | undefined;
  /**
   * Take a body that is not JSON as plain text (consume hands any body over): it is keyed by
   * its messageId only and has no schema to match. @default false (it is poison: process-sqs)
   */
  plainText?: boolean;
}

export interface ReadMessage {
  ok: true;
  key: string;
  /** The parsed body, inside any envelope; undefined for plain text. */
  body: unknown;
  /** What the producer sent, inside any envelope. */
  text: string;
  /** sha256 of `text`: a resend hashes the same, whichever queue or envelope carried it. */
  hash: string;
  sns?: SnsInfo;
}

/** Why a message is poison: not JSON, its schema, or no key; `key` when it could still be read. */
export interface Unreadable {
  ok: false;
  reason: string;
  key?: string;
}

export type Intake = ReadMessage | Unreadable;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Decode, validate, key and hash one message (its pointer already resolved: see `resolvePayload`). */
export function readMessage(m: InboundMessage, rules: IntakeRules): Intake {
  const decoded = decodeBody(m.body);
  if (!decoded.ok && !rules.plainText) return { ok: false, reason: decoded.reason };
  const text = decoded.ok ? decoded.text : m.body;
  const body = decoded.ok ? decoded.body : undefined;
  const key = rules.keyOf({ messageId: m.messageId, body });
  // The template mark of an SNS-fed event travels in its envelope.
  const invalid = decoded.ok ? rules.validate?.(body, envelopeAttributes(m, decoded.sns)) : undefined;
  if (invalid) return { ok: false, reason: `schema: ${invalid}`, ...(key.ok ? { key: key.key } : {}) };
  if (!key.ok) return { ok: false, reason: key.reason };
  return { ok: true, key: key.key, body, text, hash: sha256(text), ...(decoded.sns ? { sns: decoded.sns } : {}) };
}

/**
 * A message's attributes with those its SNS envelope carries (a subscription without raw
 * delivery puts the producer's there); the queue's own attributes win.
 */
export function envelopeAttributes(m: InboundMessage, sns: SnsInfo | undefined = decodeBody(m.body).sns): Record<string, string> {
  return sns?.attributes ? { ...sns.attributes, ...m.attributes } : m.attributes;
}

/**
 * A pointer message (SQS Extended Client) as its real body, before it is read; an ordinary
 * message as it is. Throws PayloadMissingError when the object is gone (the caller says what
 * that means); the message with the pointer stays the caller's, for a DLQ or a give-back.
 */
export async function resolvePayload(m: InboundMessage, hook: PayloadHook): Promise<{ message: InboundMessage; pointer?: PayloadPointer }> {
  const resolved = await hook.resolve(m.body, m.attributes);
  return resolved ? { message: { ...m, body: resolved.text }, pointer: resolved.pointer } : { message: m };
}
