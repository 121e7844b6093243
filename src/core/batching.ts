/**
 * Byte-aware batching for SQS/SNS batch calls: at most 10 entries and at most
 * `maxBytes` of payload per request (SQS counts body plus message attributes).
 */

/** SQS and SNS: 10 entries per batch request. */
export const MAX_BATCH_ENTRIES = 10;
/** SQS: 1 MiB per message and per batch request (the cap since August 2025). */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export interface Sized {
  bytes: number;
}

export interface BatchPlan<T> {
  batches: T[][];
  /** Entries that cannot be sent at all: alone they already exceed the cap. */
  oversized: T[];
}

/** Packs entries in order, never reordering them (FIFO order must survive batching). */
export function planBatches<T extends Sized>(
  entries: readonly T[],
  { maxEntries = MAX_BATCH_ENTRIES, maxBytes = MAX_REQUEST_BYTES } = {},
): BatchPlan<T> {
  const batches: T[][] = [];
  const oversized: T[] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (entry.bytes > maxBytes) {
      oversized.push(entry);
      continue;
    }
    if (current.length === maxEntries || bytes + entry.bytes > maxBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length) batches.push(current);
  return { batches, oversized };
}

export interface AttributeValueLike {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

/** The size SQS charges a message: body bytes plus every attribute's name, type and value. */
export function messageBytes(body: string, attributes?: Record<string, AttributeValueLike>): number {
  let bytes = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    if (value.StringValue !== undefined) bytes += Buffer.byteLength(value.StringValue);
    if (value.BinaryValue !== undefined) bytes += value.BinaryValue.byteLength;
  }
  return bytes;
}
