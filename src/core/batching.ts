/**
 * The one byte-aware batcher for SQS/SNS batch calls (send, delete, visibility, publish):
 * at most 10 entries and at most `maxBytes` per request, in order. SQS counts a message as
 * its body plus every attribute's name, type and value, against 1 MiB per message and
 * 1 MiB per SendMessageBatch; an attribute we add (`sqsops.error`) counts too, so it is
 * shortened to fit rather than let it push poison over the limit and keep it off its DLQ.
 */

/** SQS and SNS: 10 entries per batch request. */
export const MAX_BATCH_ENTRIES = 10;
/** SQS: 1 MiB per message and per batch request (the cap since August 2025). */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/** SQS: 10 message attributes per message. */
export const MAX_ATTRIBUTES = 10;

export interface Sized {
  bytes: number;
}

export interface BatchPlan<T> {
  batches: T[][];
  /** Entries that cannot be sent at all: alone they already exceed the cap. */
  oversized: T[];
}

export interface BatchLimits<T> {
  /** @default 10 */
  maxEntries?: number;
  /** @default 1 MiB */
  maxBytes?: number;
  /** An entry's size. @default its `bytes` (0 without one: deletes and visibility changes only count entries) */
  bytesOf?: (entry: T) => number;
}

const ownBytes = (entry: unknown): number => (entry as Partial<Sized>).bytes ?? 0;

/** Packs entries one at a time, in order (FIFO order must survive batching). */
export class BatchPacker<T> {
  private current: T[] = [];
  private bytes = 0;
  private readonly maxEntries: number;
  readonly maxBytes: number;
  readonly bytesOf: (entry: T) => number;

  constructor({ maxEntries = MAX_BATCH_ENTRIES, maxBytes = MAX_REQUEST_BYTES, bytesOf = ownBytes }: BatchLimits<T> = {}) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.bytesOf = bytesOf;
  }

  /** Adds an entry; returns the batch it closed when it did not fit beside the open one. */
  add(entry: T): T[] | undefined {
    const size = this.bytesOf(entry);
    let closed: T[] | undefined;
    if (this.current.length > 0 && (this.current.length === this.maxEntries || this.bytes + size > this.maxBytes)) closed = this.flush();
    this.current.push(entry);
    this.bytes += size;
    return closed;
  }

  /** The open batch, if any, and a fresh one started. */
  flush(): T[] | undefined {
    if (this.current.length === 0) return undefined;
    const batch = this.current;
    this.current = [];
    this.bytes = 0;
    return batch;
  }
}

/** Cuts entries into batches within the limits, in order; what can never fit is set apart. */
export function planBatches<T>(entries: readonly T[], limits: BatchLimits<T> = {}): BatchPlan<T> {
  const packer = new BatchPacker(limits);
  const batches: T[][] = [];
  const oversized: T[] = [];
  for (const entry of entries) {
    if (packer.bytesOf(entry) > packer.maxBytes) {
      oversized.push(entry);
      continue;
    }
    const closed = packer.add(entry);
    if (closed) batches.push(closed);
  }
  const last = packer.flush();
  if (last) batches.push(last);
  return { batches, oversized };
}

export interface AttributeValueLike {
  DataType?: string | undefined;
  StringValue?: string | undefined;
  BinaryValue?: Uint8Array | undefined;
}

/**
 * The size SQS charges a message: body bytes plus every attribute's name, type and value.
 * A binary value is counted as its base64 text, as it travels (and as fauxqs counts it):
 * never less than SQS counts, so what we call small enough is.
 */
export function messageBytes(body: string, attributes?: Record<string, AttributeValueLike>): number {
  let bytes = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes ?? {})) bytes += attributeBytes(name, value);
  return bytes;
}

function attributeBytes(name: string, value: AttributeValueLike): number {
  let bytes = Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
  if (value.StringValue !== undefined) bytes += Buffer.byteLength(value.StringValue);
  if (value.BinaryValue !== undefined) bytes += Math.ceil(value.BinaryValue.byteLength / 3) * 4;
  return bytes;
}

export const TRUNCATED_MARKER = '… [truncated]';

/** The longest prefix of `text` within `maxBytes` of UTF-8, never splitting a character. */
export function truncateToBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let lo = 0;
  let hi = Math.min(text.length, maxBytes);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (Buffer.byteLength(text.slice(0, mid)) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  // A lone high surrogate would be sent as U+FFFD: drop it with its missing half.
  const code = text.charCodeAt(lo - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? lo - 1 : lo);
}

/**
 * The attributes with a string attribute of ours added (or replaced), shortened with a
 * marker so the message stays within `maxBytes`; left out when even the marker does not
 * fit, or when the message already has SQS's 10 attributes. The message itself always fits.
 */
export function withStringAttribute<A extends AttributeValueLike>(
  body: string,
  attributes: Record<string, A>,
  name: string,
  value: string,
  maxBytes = MAX_REQUEST_BYTES,
): Record<string, A | AttributeValueLike> {
  const others: Record<string, A | AttributeValueLike> = { ...attributes };
  delete others[name];
  if (Object.keys(others).length >= MAX_ATTRIBUTES) return others;
  const room = maxBytes - messageBytes(body, others) - attributeBytes(name, { DataType: 'String', StringValue: '' });
  if (Buffer.byteLength(value) <= room) return { ...others, [name]: { DataType: 'String', StringValue: value } };
  const markerBytes = Buffer.byteLength(TRUNCATED_MARKER);
  // SQS refuses an empty string value: no room for at least one character and the marker, no attribute.
  if (room < markerBytes + 1) return others;
  return { ...others, [name]: { DataType: 'String', StringValue: truncateToBytes(value, room - markerBytes) + TRUNCATED_MARKER } };
}

/** Batches for calls that carry no bodies (deletes, visibility changes): cut by entries alone. */
export function entryBatches<T>(entries: readonly T[], maxEntries = MAX_BATCH_ENTRIES): T[][] {
  return planBatches(entries, { maxEntries, bytesOf: () => 0 }).batches;
}
