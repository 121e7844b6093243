/**
 * Why one URL failed, as a typed error. `retryable` is the retry policy's verdict,
 * decided where the failure is seen (status, socket, checksum), so the loop that
 * retries never has to guess from a message.
 */
import { findCode, networkCode, SqsopsError, TIMEOUT_CODES, type SqsopsErrorOptions } from '../../core/errors.js';

/** Stable, short failure codes: they appear in the table and in the JSON report. */
export type DownloadErrorCode =
  | 'http_status'
  | 'rate_limited'
  | 'network'
  | 'timeout'
  | 'truncated'
  | 'checksum'
  | 'too_many_redirects'
  | 'redirect_loop'
  | 'bad_redirect'
  | 'bad_range'
  | 'blocked_address'
  | 'proxy'
  | 'tls'
  | 'bad_request'
  | 'unsafe_path'
  | 'write'
  | 's3'
  | 'aborted';

export interface DownloadErrorOptions extends SqsopsErrorOptions {
  retryable?: boolean;
  /** HTTP status, when the failure is one. */
  status?: number;
  /** The server's Retry-After, already converted to milliseconds. */
  retryAfterMs?: number;
  /** The partial file kept its bytes, so the next attempt resumes instead of restarting. */
  madeProgress?: boolean;
}

export class DownloadError extends SqsopsError {
  override readonly name = 'DownloadError';
  readonly code: DownloadErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  /** The partial file kept its bytes, so the next attempt resumes instead of restarting. */
  madeProgress: boolean;

  constructor(code: DownloadErrorCode, message: string, options: DownloadErrorOptions = {}) {
    super(message, options);
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.madeProgress = options.madeProgress ?? false;
  }
}

/** OpenSSL's verdicts on a certificate: the same server fails the same way, so never retried. */
const TLS_CODES = /^(UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED|CERT_|ERR_TLS_CERT_|ERR_SSL_|HOSTNAME_MISMATCH)/;

/**
 * Turns whatever a request or a stream threw into a DownloadError. Messages are
 * built from codes, never copied from the error, so no URL or header leaks through.
 */
export function toDownloadError(e: unknown, fallback: DownloadErrorCode = 'network'): DownloadError {
  if (e instanceof DownloadError) return e;
  const code = networkCode(e);
  if (code && TIMEOUT_CODES.has(code)) {
    const what = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connect' : code === 'UND_ERR_HEADERS_TIMEOUT' ? 'response headers' : 'idle body';
    return new DownloadError('timeout', `${what} timeout (${code})`, { retryable: true, cause: e });
  }
  const special = code ? undefined : findCode(e, (c) => TLS_CODES.test(c) || c.startsWith('HPE_') || c === 'UND_ERR_INVALID_ARG');
  if (special && TLS_CODES.test(special)) {
    return new DownloadError('tls', `TLS certificate not accepted (${special}); trust its CA with --ca FILE or NODE_EXTRA_CA_CERTS`, {
      cause: e,
    });
  }
  // undici's parser refusing the answer (conflicting lengths, a bad chunk, a huge head): like a cut connection, worth another try.
  if (special?.startsWith('HPE_')) return new DownloadError('network', `bad HTTP response (${special})`, { retryable: true, cause: e });
  if (special) return new DownloadError('bad_request', 'a request header has characters HTTP does not allow', { cause: e });
  if (code) return new DownloadError('network', `network error (${code})`, { retryable: true, cause: e });
  const errno = e && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
  if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) {
    // A file-system errno (disk full, permission denied, read-only): the same file will fail again.
    return new DownloadError('write', `cannot write the file (${errno})`, { retryable: false, cause: e });
  }
  const name = e instanceof Error ? e.name : typeof e;
  return new DownloadError(
    fallback,
    `${fallback === 'network' ? 'request failed' : fallback} (${typeof errno === 'string' ? errno : name})`,
    {
      retryable: fallback === 'network',
      cause: e,
    },
  );
}
