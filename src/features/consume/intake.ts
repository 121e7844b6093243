/**
 * What consume does to one received message before it is handed over: its real body (a
 * large-payload pointer is resolved), its key, the schema check, and its record in the
 * ledger (a conditional put: a key already there is a duplicate). Nothing here deletes.
 */
import { createHash } from 'node:crypto';
import type { Message } from '@aws-sdk/client-sqs';
import { messageAttributes } from '../../aws/messageAttributes.js';
import type { Ledger } from '../../aws/ledger.js';
import type { compileKey } from '../../core/keys.js';
import { toRecord } from '../../core/messageRecord.js';
import { LEGACY_SIZE_ATTRIBUTE, PayloadMissingError, SIZE_ATTRIBUTE, type PayloadPointer } from '../../core/payloadPointer.js';
import type { payloadHook } from '../../pipeline/payloads.js';
import type { SchemaCheck } from '../../pipeline/schema.js';
import type { ConsumedMessage } from './consume.js';

/** A received message as consume holds it until it is deleted or given back. */
export interface Taken extends ConsumedMessage {
  receiptHandle: string;
  /** The export record (what `produce --from-file` sends back), with what consume did to it. */
  record: string;
  pointer?: PayloadPointer;
}

export interface IntakeDeps {
  peek: boolean;
  queueName: string;
  ttlDays: number;
  keyOf: ReturnType<typeof compileKey>;
  schema: SchemaCheck;
  ledger: Ledger | undefined;
  /** Whose ledger records these are (see core/consumer.ts). */
  consumer: string;
  payloads: ReturnType<typeof payloadHook>;
}

type Described = Pick<ConsumedMessage, 'messageId' | 'receiveCount' | 'sentAt' | 'groupId' | 'attributes'>;

function describe(m: Message): Described {
  const sent = Number(m.Attributes?.SentTimestamp);
  return {
    messageId: m.MessageId ?? '',
    attributes: messageAttributes(m),
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : undefined,
    groupId: m.Attributes?.MessageGroupId,
  };
}

function withoutSizeAttribute(m: Message): Message {
  const { [SIZE_ATTRIBUTE]: _s, [LEGACY_SIZE_ATTRIBUTE]: _l, ...rest } = m.MessageAttributes ?? {};
  return { ...m, MessageAttributes: rest };
}

function exportLine(m: Message, row: ConsumedMessage): string {
  const record = toRecord({ messageId: row.messageId, body: row.body, attributes: m.MessageAttributes, systemAttributes: m.Attributes });
  return JSON.stringify({ ...record, key: row.key, status: row.status });
}

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function schemaProblem(schema: SchemaCheck, body: string, m: Message): string | undefined {
  const parsed = parseJson(body);
  const attributes = Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']));
  return parsed === undefined ? undefined : schema.validate?.(parsed, attributes);
}

/** Reads, checks and (unless peeking) records one message; a throw leaves it for the caller to give back. */
export async function intake(m: Message, deps: IntakeDeps): Promise<Taken> {
  let body = m.Body ?? '';
  const meta = describe(m);
  let missing: string | undefined;
  let pointer: PayloadPointer | undefined;
  try {
    // A pointer message (SQS Extended Client) shows, records and exports its real body.
    const resolved = await deps.payloads.resolve(body, m.MessageAttributes);
    if (resolved) {
      body = resolved.text;
      pointer = resolved.pointer;
    }
  } catch (e: unknown) {
    if (!(e instanceof PayloadMissingError)) throw e;
    missing = e.message;
  }
  const key = deps.keyOf({ messageId: meta.messageId, body: parseJson(body) });
  const row: Taken = {
    ...meta,
    key: key.ok ? key.key : '',
    body,
    status: 'peeked',
    deleted: false,
    receiptHandle: m.ReceiptHandle ?? '',
    record: '',
  };
  if (pointer) row.pointer = pointer;
  const schemaError = deps.peek || !key.ok ? undefined : schemaProblem(deps.schema, body, m);
  if (deps.peek) {
    // peeked: recorded nowhere
  } else if (missing) {
    fail(row, `${missing}; left on the queue`);
  } else if (!key.ok) {
    fail(row, `${key.reason}; left on the queue`);
  } else if (schemaError) {
    fail(row, `schema: ${schemaError}; left on the queue`);
  } else {
    const recorded = await deps.ledger!.recordIfAbsent({
      consumer: deps.consumer,
      key: key.key,
      status: 'COMPLETED',
      queue: deps.queueName,
      messageId: meta.messageId,
      updatedAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + deps.ttlDays * 86_400,
      payloadHash: createHash('sha256').update(body).digest('hex'),
      receiveCount: meta.receiveCount,
      source: 'consume',
    });
    if (recorded === 'inflight') fail(row, 'another worker holds this key (a live lease); left on the queue');
    else row.status = recorded;
  }
  // The export holds the real body, so the size attribute of the pointer no longer applies.
  row.record = exportLine(pointer ? withoutSizeAttribute(m) : m, row);
  return row;
}

/** A message given back before it was read through (the run stopped on it): recorded nowhere. */
export function untaken(m: Message): Taken {
  return {
    ...describe(m),
    key: '',
    body: m.Body ?? '',
    status: 'released',
    deleted: false,
    receiptHandle: m.ReceiptHandle ?? '',
    record: '',
  };
}

function fail(row: Taken, error: string): void {
  row.status = 'failed';
  row.error = error;
}
