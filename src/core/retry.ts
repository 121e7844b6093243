/**
 * The one retry helper. Every loop that retries (batch entries SQS answered in Failed[],
 * DynamoDB's unprocessed items, downloads) runs on p-retry, with delays from `backoffMs`
 * (full jitter), slept in `shouldRetry` so a retry that will not happen never waits.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry from 'p-retry';

export interface BackoffPolicy {
  /** @default 100 */
  baseMs?: number;
  /** @default 20000 */
  capMs?: number;
  /** Source of randomness in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * Exponential backoff, in the caller's unit: a ceiling of min(cap, base * 2^attempt), with
 * full jitter (uniform below the ceiling) or half jitter (half fixed, half uniform: never near 0).
 */
export function backoff(
  attempt: number,
  { base, cap, random = Math.random, jitter = 'full' }: { base: number; cap: number; random?: () => number; jitter?: 'full' | 'half' },
): number {
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt));
  return jitter === 'full' ? random() * ceiling : ceiling / 2 + random() * (ceiling / 2);
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^attempt)]. */
export function backoffMs(attempt: number, { baseMs = 100, capMs = 20_000, random = Math.random }: BackoffPolicy = {}): number {
  return Math.floor(backoff(attempt, { base: baseMs, cap: capMs, random }));
}

export interface RetryRemainingOptions extends BackoffPolicy {
  /** Attempts in all, the first included (Infinity: until nothing is left). @default 5 */
  maxAttempts?: number;
  /** An error that will not heal by retrying (no queue, no access) stops at once. @default none */
  isFatal?: (error: unknown) => boolean;
  /** Aborts the wait between attempts. */
  signal?: AbortSignal;
}

export interface Remaining<T> {
  /** What was not done: entries still pending when the attempts ran out or an error stopped them. */
  left: T[];
  /** The error that stopped the attempts, if one did. */
  error?: unknown;
}

/** Thrown inside p-retry when entries are left: "retry", not a failure to report. */
class Pending extends Error {}

/**
 * Runs `attempt` on a shrinking set of entries until none is left: each attempt returns the
 * entries worth sending again (those a batch call answered with a retryable failure).
 * Never throws; what was not done comes back with the error that stopped it.
 */
export async function retryRemaining<T>(
  entries: T[],
  attempt: (pending: T[], attemptNumber: number) => Promise<T[]>,
  { maxAttempts = 5, isFatal = () => false, signal, ...backoff }: RetryRemainingOptions = {},
): Promise<Remaining<T>> {
  let pending = entries;
  try {
    await pRetry(
      async (n) => {
        pending = await attempt(pending, n);
        if (pending.length > 0) throw new Pending(`${pending.length} entries to send again`);
      },
      {
        retries: maxAttempts - 1,
        minTimeout: 0,
        maxTimeout: 0,
        shouldRetry: async ({ error, attemptNumber }) => {
          if (signal?.aborted || (!(error instanceof Pending) && isFatal(error))) return false;
          await sleep(backoffMs(attemptNumber, backoff), undefined, { signal });
          return true;
        },
      },
    );
    return { left: [] };
  } catch (e: unknown) {
    return e instanceof Pending ? { left: pending } : { left: pending, error: e };
  }
}
