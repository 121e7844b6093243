/** Retry timing shared by every loop that retries (batch entries, unprocessed items, sinks). */

export interface BackoffPolicy {
  /** @default 100 */
  baseMs?: number;
  /** @default 20000 */
  capMs?: number;
  /** Source of randomness in [0, 1). @default Math.random */
  random?: () => number;
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^attempt)]. */
export function backoffMs(attempt: number, { baseMs = 100, capMs = 20_000, random = Math.random }: BackoffPolicy = {}): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}
