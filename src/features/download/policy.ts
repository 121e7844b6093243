/**
 * The retry and resume rules, as pure functions: which answers are worth another
 * try, how long to wait, and whether a 206 really continues the bytes we hold.
 */
import { backoffMs, type BackoffPolicy } from '../../core/retry.js';
import { DownloadError } from './errors.js';

/**
 * Retry-After as milliseconds from `now`: delta-seconds or an HTTP date (RFC 9110
 * §10.2.3). Undefined when absent or unreadable; a date in the past means "now".
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The error for a status we cannot use: 429 and 5xx are retried, every other 4xx is final. */
export function statusError(status: number, retryAfter: string | string[] | undefined, now: number): DownloadError {
  const retryAfterMs = parseRetryAfter(retryAfter, now);
  if (status === 429) {
    return new DownloadError('rate_limited', `HTTP 429 Too Many Requests`, { status, retryable: true, retryAfterMs });
  }
  const retryable = status >= 500 && status <= 599;
  // 503 may carry Retry-After too; other statuses' Retry-After is ignored as meaningless.
  return new DownloadError('http_status', `HTTP ${status}`, {
    status,
    retryable,
    ...(retryable && retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

export interface ContentRange {
  start: number;
  end: number;
  /** Undefined when the server wrote `*` (length unknown). */
  total: number | undefined;
}

/** Parses `bytes 100-199/1000` (or `/*`); undefined for anything else, including `bytes *\/1000`. */
export function parseContentRange(value: string | string[] | undefined): ContentRange | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  const m = v ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/i.exec(v.trim()) : null;
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  const total = m[3] === '*' ? undefined : Number(m[3]);
  if (end < start || (total !== undefined && end >= total)) return undefined;
  return { start, end, total };
}

/** The total length from an unsatisfied-range answer: `bytes *\/1000` → 1000. */
export function parseUnsatisfiedRange(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  const m = v ? /^bytes \*\/(\d+)$/i.exec(v.trim()) : null;
  return m ? Number(m[1]) : undefined;
}

export interface RetryTiming extends BackoffPolicy {
  /** Longest Retry-After we honour; a longer one is cut to this. @default 60000 */
  maxRetryAfterMs?: number;
}

/**
 * How long to wait before retry number `retry` (1-based). Retry-After wins when the
 * server sent one (it knows its own load); otherwise exponential backoff with full
 * jitter, so many clients failing together do not come back together.
 */
export function retryDelayMs(retry: number, error: DownloadError, timing: RetryTiming = {}): number {
  if (error.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, timing.maxRetryAfterMs ?? 60_000);
  return backoffMs(retry - 1, { baseMs: timing.baseMs ?? 250, capMs: timing.capMs ?? 20_000, random: timing.random });
}

/** Checksum mismatches get one more try at most: twice wrong means the source is wrong. */
export const MAX_CHECKSUM_RETRIES = 1;
/** Attempts that grew a resumable .part do not use up --retries, but only this many times. */
export const MAX_FREE_RESUMES = 20;
