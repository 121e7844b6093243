/**
 * What consume does to one received message before it is handed over: read it the way
 * process-sqs does (pipeline/intake.ts: a large-payload pointer resolved first, then the
 * SNS envelope, the schema, the key and the payload hash), and record it in the ledger (a
 * conditional put: a key already there is a duplicate). Nothing here deletes.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { Ledger } from '../../aws/ledger.js';
import type { KeyFn } from '../../core/keys.js';
import { PayloadMissingError, type PayloadPointer } from '../../core/payloadPointer.js';
import { exportLine } from '../../pipeline/exportFile.js';
import { fromSqsMessage, type InboundMessage } from '../../pipeline/inbound.js';
import { readMessage, resolvePayload, type Intake } from '../../pipeline/intake.js';
import type { PayloadHook } from '../../pipeline/payloads.js';
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
  keyOf: KeyFn;
  schema: SchemaCheck;
  ledger: Ledger | undefined;
  /** Whose ledger records these are (see core/consumer.ts). */
  consumer: string;
  payloads: PayloadHook;
}

/** A row for a received message, before anything is decided: peeked, unkeyed. */
function newRow(m: InboundMessage): Taken {
  return {
    messageId: m.messageId,
    attributes: m.attributes,
    receiveCount: m.receiveCount,
    sentAt: m.sentAt,
    groupId: m.groupId,
    key: '',
    body: m.body,
    status: 'peeked',
    deleted: false,
    receiptHandle: m.receiptHandle,
    record: '',
  };
}

/** The message with its real body, or why its large payload cannot be read (PayloadMissingError). */
async function resolved(m: InboundMessage, row: Taken, deps: IntakeDeps): Promise<{ message: InboundMessage; missing?: string }> {
  try {
    const r = await resolvePayload(m, deps.payloads);
    if (r.pointer) row.pointer = r.pointer;
    row.body = r.message.body;
    return { message: r.message };
  } catch (e: unknown) {
    if (!(e instanceof PayloadMissingError)) throw e;
    return { message: m, missing: e.message };
  }
}

/** Records a message that was read whole; a key leased by a worker stays on the queue. */
async function record(row: Taken, read: Extract<Intake, { ok: true }>, deps: IntakeDeps): Promise<void> {
  const recorded = await deps.ledger!.recordIfAbsent({
    consumer: deps.consumer,
    key: read.key,
    status: 'COMPLETED',
    queue: deps.queueName,
    messageId: row.messageId,
    updatedAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + deps.ttlDays * 86_400,
    payloadHash: read.hash,
    receiveCount: row.receiveCount,
    source: 'consume',
  });
  if (recorded === 'inflight') fail(row, 'another worker holds this key (a live lease); left on the queue');
  else row.status = recorded;
}

/** Reads, checks and (unless peeking) records one message; a throw leaves it for the caller to give back. */
export async function intake(m: Message, deps: IntakeDeps): Promise<Taken> {
  const inbound = fromSqsMessage(m);
  const row = newRow(inbound);
  const { message, missing } = await resolved(inbound, row, deps);
  // Any body can be taken by hand: one that is not JSON is plain text, keyed by its messageId.
  const read = readMessage(message, { keyOf: deps.keyOf, validate: deps.peek ? undefined : deps.schema.validate, plainText: true });
  row.key = read.ok ? read.key : (read.key ?? '');
  if (deps.peek) {
    // peeked: recorded nowhere
  } else if (missing) {
    fail(row, `${missing}; left on the queue`);
  } else if (!read.ok) {
    fail(row, `${read.reason}; left on the queue`);
  } else {
    await record(row, read, deps);
  }
  row.record = exportLine(m, { resolvedBody: row.pointer ? row.body : undefined, key: row.key, status: row.status });
  return row;
}

/** A message given back before it was read through (the run stopped on it): recorded nowhere. */
export function untaken(m: Message): Taken {
  return { ...newRow(fromSqsMessage(m)), status: 'released' };
}

function fail(row: Taken, error: string): void {
  row.status = 'failed';
  row.error = error;
}
