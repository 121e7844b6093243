/**
 * The export record: one SQS message as one NDJSON line, written by `consume --out` and
 * `move --to file.ndjson`, read back by `produce --from-file`. It keeps everything a
 * resend needs (body byte for byte, every message attribute with its type, the FIFO
 * group and deduplication id) and what the message was (id, sent time, receive count),
 * so queue -> file -> queue gives the same messages. Pure: no SDK types, no I/O.
 *
 * The `format` marker tells a record from a plain JSON body in `--from-file`: without it,
 * an object is a body to send as it is. Unknown fields are ignored on import, so newer
 * writers can add fields.
 */
import { UsageError } from './errors.js';
import { jsonLines } from './jsonLines.js';
import { hasLoneSurrogate } from './messageRules.js';

export const RECORD_FORMAT = 'sqsops.message/1';

/** A message attribute as SQS has it; a Binary value is base64 in the file. */
export interface RecordAttribute {
  DataType: string;
  StringValue?: string;
  /** base64 */
  BinaryValue?: string;
}

export interface MessageRecord {
  format: typeof RECORD_FORMAT;
  messageId: string;
  /** The body as sent; base64 of its UTF-16 code units when `bodyEncoding` says so. */
  body: string;
  /** Only for a body that is not well-formed Unicode (lone surrogates), which UTF-8 cannot carry. */
  bodyEncoding?: 'base64-utf16le';
  attributes?: Record<string, RecordAttribute>;
  groupId?: string;
  deduplicationId?: string;
  /** ISO time SQS accepted the message. */
  sentAt?: string;
  receiveCount?: number;
}

/** What a record comes from: a received message, in plain terms. */
export interface RecordSource {
  messageId: string;
  body: string;
  attributes?: Record<string, { DataType?: string | undefined; StringValue?: string | undefined; BinaryValue?: Uint8Array | undefined }>;
  systemAttributes?: Record<string, string | undefined>;
}

/** The attribute as SendMessage takes it back. */
export interface SendableAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

/** What `produce --from-file` sends for one record. */
export interface ImportedMessage {
  body: string;
  attributes?: Record<string, SendableAttribute>;
  groupId?: string;
  deduplicationId?: string;
}

export function toRecord(m: RecordSource): MessageRecord {
  const record: MessageRecord = { format: RECORD_FORMAT, messageId: m.messageId, body: m.body };
  if (hasLoneSurrogate(m.body)) {
    record.body = Buffer.from(m.body, 'utf16le').toString('base64');
    record.bodyEncoding = 'base64-utf16le';
  }
  const attrs = Object.entries(m.attributes ?? {});
  if (attrs.length > 0) {
    record.attributes = {};
    for (const [name, v] of attrs) {
      const a: RecordAttribute = { DataType: v.DataType ?? 'String' };
      if (v.StringValue !== undefined) a.StringValue = v.StringValue;
      if (v.BinaryValue !== undefined) a.BinaryValue = Buffer.from(v.BinaryValue).toString('base64');
      record.attributes[name] = a;
    }
  }
  const sys = m.systemAttributes ?? {};
  if (sys.MessageGroupId) record.groupId = sys.MessageGroupId;
  if (sys.MessageDeduplicationId) record.deduplicationId = sys.MessageDeduplicationId;
  const sent = Number(sys.SentTimestamp);
  if (Number.isFinite(sent) && sent > 0) record.sentAt = new Date(sent).toISOString();
  const receives = Number(sys.ApproximateReceiveCount);
  if (Number.isInteger(receives) && receives > 0) record.receiveCount = receives;
  return record;
}

/**
 * Decodes standard base64 strictly, or returns undefined. Node's decoder skips characters
 * that are not base64 and stops at stray padding, so `!!!not*base64@@` would become other
 * bytes; only canonical base64 encodes back to the same text.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

const BASE64_RULE = 'standard base64: A-Z a-z 0-9 + /, padded with = to a multiple of 4';

/** The body a record carries, decoded as its bodyEncoding says. */
function recordBody(r: Partial<MessageRecord>, bad: (what: string) => UsageError): string {
  const body = r.body as string;
  if (r.bodyEncoding === undefined) return body;
  if (r.bodyEncoding !== 'base64-utf16le') throw bad(`unknown bodyEncoding "${String(r.bodyEncoding)}"`);
  const bytes = decodeBase64(body);
  if (!bytes) throw bad(`"body" is not base64 (bodyEncoding base64-utf16le needs ${BASE64_RULE})`);
  if (bytes.byteLength % 2 !== 0) throw bad(`"body" decodes to ${bytes.byteLength} bytes, not whole UTF-16 code units`);
  return Buffer.from(bytes).toString('utf16le');
}

/** One record attribute as SendMessage takes it; Binary values are strict base64. */
function recordAttribute(name: string, a: RecordAttribute | undefined, bad: (what: string) => UsageError): SendableAttribute {
  if (typeof a?.DataType !== 'string') throw bad(`attribute "${name}" has no DataType`);
  const v: SendableAttribute = { DataType: a.DataType };
  if (a.StringValue !== undefined && typeof a.StringValue !== 'string') throw bad(`attribute "${name}": StringValue must be a string`);
  if (a.BinaryValue !== undefined && typeof a.BinaryValue !== 'string')
    throw bad(`attribute "${name}": BinaryValue must be a base64 string`);
  if (a.StringValue !== undefined) v.StringValue = a.StringValue;
  if (a.BinaryValue !== undefined) {
    const bytes = decodeBase64(a.BinaryValue);
    if (!bytes) throw bad(`attribute "${name}": BinaryValue is not base64 (${BASE64_RULE})`);
    v.BinaryValue = bytes;
  }
  if (v.StringValue === undefined && v.BinaryValue === undefined) throw bad(`attribute "${name}" has no value`);
  return v;
}

/**
 * Whether a value is an export record this sqsops reads; a value that says it is a record of
 * another version (`sqsops.message/2`) is refused, naming `where`. A record is never a plain
 * body: sent as one, the whole record would become the body.
 */
export function isKnownRecord(value: unknown, where: string): boolean {
  const format = typeof value === 'object' && value !== null ? (value as { format?: unknown }).format : undefined;
  if (typeof format !== 'string' || !format.startsWith('sqsops.message/')) return false;
  if (format === RECORD_FORMAT) return true;
  throw new UsageError(`${where}: format "${format}" is not supported; this sqsops reads ${RECORD_FORMAT}`, {
    hint: 'use the sqsops version that wrote the file, or export it again with this one; nothing was sent',
  });
}

/** Checks one parsed line and turns it into what SendMessage needs; `where` names the line. */
export function fromRecord(value: unknown, where: string): ImportedMessage {
  const bad = (what: string) =>
    new UsageError(`${where}: ${what}`, {
      hint: `each line must be a record as consume --out writes it (format "${RECORD_FORMAT}"); nothing was sent`,
    });
  if (!isKnownRecord(value, where)) throw bad(`not a ${RECORD_FORMAT} record`);
  const r = value as Partial<MessageRecord>;
  if (typeof r.body !== 'string') throw bad('"body" must be a string');
  const out: ImportedMessage = { body: recordBody(r, bad) };
  if (r.attributes !== undefined) {
    if (typeof r.attributes !== 'object' || r.attributes === null) throw bad('"attributes" must be an object');
    out.attributes = {};
    for (const [name, a] of Object.entries(r.attributes)) out.attributes[name] = recordAttribute(name, a, bad);
  }
  if (r.groupId !== undefined) out.groupId = String(r.groupId);
  if (r.deduplicationId !== undefined) out.deduplicationId = String(r.deduplicationId);
  return out;
}

/**
 * Reads a file of records (NDJSON), or returns undefined when its first entry is not a
 * record (then the file is plain bodies, and core/input.ts refuses any record in it). A file
 * whose first line is a record must be records throughout: a line that is not is named, and
 * nothing is sent. A record of another format version is refused wherever it is.
 */
export function parseRecords(text: string, source: string): (ImportedMessage & { source: string })[] | undefined {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0 || !lines[first]!.trimStart().startsWith('{')) return undefined;
  let head: unknown;
  try {
    head = JSON.parse(lines[first]!);
  } catch {
    return undefined; // plain-body parsing names the malformed line
  }
  if (!isKnownRecord(head, `${source}:${first + 1}`)) return undefined;
  return jsonLines(text, source, 'each line must be one record; nothing was sent', (value, where) => ({
    ...fromRecord(value, where),
    source: where,
  }));
}
