/**
 * The idempotency ledger's rules, as pure functions: what a claim writes, what the
 * condition is, and what an existing record means. Lease-based and owner-checked:
 * a claim can be taken over only when absent, expired, or in progress past its lease;
 * completion and release succeed only for the owner (unlike Powertools, whose
 * unconditional complete lets a worker whose lease ran out overwrite its successor).
 */
import { backoff } from './retry.js';

export type ClaimOutcome =
  /** We own it now: process, then complete. `tasksDone`: tasks an earlier attempt finished. */
  | { kind: 'claimed'; tasksDone?: string[] }
  /** Done before: delete the message and count a duplicate. */
  | { kind: 'duplicate'; payloadMismatch: boolean }
  /** Another worker holds a live lease: leave the message, it comes back. */
  | { kind: 'inflight'; owner: string; leaseExpiresAt: number };

export interface ExistingRecord {
  status?: string;
  owner?: string;
  leaseExpiresAt?: number;
  payloadHash?: string;
  expiresAt?: number;
  /** Absent on a record written before the ledger was per consumer. */
  consumer?: string;
}

/**
 * Reads the record that made a conditional claim fail: undefined when the record may be
 * claimed after all (gone, past its TTL, released, or its lease ran out), by the same
 * rules as CLAIM_CONDITION.
 */
export function interpretExisting(existing: ExistingRecord | undefined, payloadHash: string, nowMs: number): ClaimOutcome | undefined {
  if (!existing) return undefined; // vanished between the put and the read: try again
  // Past its TTL but not swept yet (DynamoDB deletes lazily): a fresh start.
  if (existing.expiresAt !== undefined && existing.expiresAt < Math.floor(nowMs / 1000)) return undefined;
  if (existing.status === 'COMPLETED') {
    return { kind: 'duplicate', payloadMismatch: existing.payloadHash !== undefined && existing.payloadHash !== payloadHash };
  }
  if (existing.status === 'INPROGRESS' && (existing.leaseExpiresAt ?? 0) > nowMs) {
    return { kind: 'inflight', owner: existing.owner ?? '', leaseExpiresAt: existing.leaseExpiresAt ?? 0 };
  }
  return undefined; // expired: the claim may be retried
}

/**
 * What a record written before the ledger was per consumer (keyed by the bare key, no
 * consumer) says to a consumer about to process that key: it counts for every consumer,
 * so an upgrade never processes again what was done before it. Undefined when there is no
 * such record, it is another consumer's (a consumer named like a key's prefix), or it no
 * longer binds (expired, released, lease run out).
 */
export function interpretLegacy(legacy: ExistingRecord | undefined, payloadHash: string, nowMs: number): ClaimOutcome | undefined {
  if (!legacy || legacy.consumer !== undefined) return undefined;
  return interpretExisting(legacy, payloadHash, nowMs);
}

/**
 * The condition under which a claim may be written: no record, a record past its TTL
 * (DynamoDB deletes expired items lazily, so they can still be there), a record its
 * owner released, or an in-progress record whose lease ran out.
 */
export const CLAIM_CONDITION =
  'attribute_not_exists(#id) OR #expiresAt < :nowSec OR #status = :released OR (#status = :inprogress AND #leaseExpiresAt < :nowMs)';

/** Backoff before a failed message is visible again: grows with its receive count. */
export function retryDelaySeconds(receiveCount: number, { baseSeconds = 2, capSeconds = 900, random = Math.random } = {}): number {
  // Half jitter: never 0 (that would hot-loop), never above the cap.
  return Math.max(1, Math.round(backoff(receiveCount - 1, { base: baseSeconds, cap: capSeconds, random, jitter: 'half' })));
}
