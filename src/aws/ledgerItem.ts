/**
 * The ledger's records as stored: their shape, what a claim writes, and the names and
 * values its condition reads. No I/O: ledger.ts sends them.
 */
import { ledgerId, type LedgerRef } from '../core/consumer.js';

export type { LedgerRef };

export type LedgerStatus = 'INPROGRESS' | 'COMPLETED' | 'RELEASED';

export interface LedgerItem {
  /** The partition key: `consumer#key`; a record from before consumers: the bare key. */
  id: string;
  /** Whose record it is (absent on a record from before consumers: it counts for every consumer). */
  consumer?: string;
  /** The idempotency key (MessageId or business key); absent on a record from before consumers. */
  key?: string;
  status: LedgerStatus;
  queue: string;
  messageId: string;
  /** ISO time of the last change. */
  updatedAt: string;
  /** Epoch seconds after which DynamoDB's TTL may drop the record. */
  expiresAt?: number;
  payloadHash?: string;
  receiveCount?: number;
  owner?: string;
  leaseExpiresAt?: number;
  source?: string;
  /** Tasks finished for this key (a DynamoDB string set on the wire). */
  tasksDone?: string[];
}

/** DynamoDB string sets arrive as Sets, which JSON prints as {}: the ledger hands out arrays. */
export function fromWire<T extends object>(item: T): T {
  const done = (item as { tasksDone?: unknown }).tasksDone;
  return done instanceof Set ? { ...item, tasksDone: [...(done as Set<string>)].sort() } : item;
}

export const LEDGER_KEY = 'id';

/**
 * The id of the table's format record: there, it says the table holds no record from
 * before consumers, so none is read. Never a record's id (a consumer name is never empty).
 */
export const FORMAT_ID = '#sqsops-ledger-format';

/** What consume records: a completed item, by consumer and key. */
export type RecordInput = Omit<LedgerItem, 'id' | 'consumer' | 'key'> & LedgerRef;

/** What a claim records about the message it is for. */
export interface ClaimInput {
  consumer: string;
  key: string;
  owner: string;
  leaseMs: number;
  payloadHash: string;
  queue: string;
  messageId: string;
  receiveCount: number;
  ttlSeconds: number;
}

/** The attribute names CLAIM_CONDITION reads. */
export const CLAIM_NAMES = { '#id': LEDGER_KEY, '#expiresAt': 'expiresAt', '#status': 'status', '#leaseExpiresAt': 'leaseExpiresAt' };

/** The values CLAIM_CONDITION reads, at `now` (ms). */
export function claimValues(now: number): Record<string, unknown> {
  return { ':nowSec': Math.floor(now / 1000), ':nowMs': now, ':inprogress': 'INPROGRESS', ':released': 'RELEASED' };
}

/** The record a claim writes (whole on a first claim, as an update on a takeover). */
export function claimItem(input: ClaimInput, now: number): LedgerItem {
  return {
    [LEDGER_KEY]: ledgerId(input),
    consumer: input.consumer,
    key: input.key,
    status: 'INPROGRESS',
    owner: input.owner,
    leaseExpiresAt: now + input.leaseMs,
    payloadHash: input.payloadHash,
    queue: input.queue,
    messageId: input.messageId,
    receiveCount: input.receiveCount,
    updatedAt: new Date(now).toISOString(),
    expiresAt: Math.floor(now / 1000) + input.ttlSeconds,
    source: 'process-sqs',
  };
}
