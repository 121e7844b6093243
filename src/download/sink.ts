/**
 * Where downloads go. The downloader asks a sink whether a download is already
 * complete there, then has it run attempts; the sink reports bytes as they arrive
 * and never leaves a half-written body under the final name.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DownloadEntry } from './input.js';
import type { OpenedResponse } from './http.js';
import { DownloadError } from './errors.js';

export interface AttemptContext {
  entry: DownloadEntry;
  /** The assigned relative name (a path under the folder, or a key under the prefix). */
  name: string;
  /** Sends the GET (following redirects) with these extra headers. */
  open(extra: Record<string, string>): Promise<OpenedResponse>;
  /** Called with every chunk's size, for progress. */
  onBytes(n: number): void;
  /** Restart from byte 0 (a --force run, or a retry after a checksum mismatch). */
  fresh: boolean;
}

export interface AttemptResult {
  /** Size of the complete object. */
  size: number;
  /** Bytes that were already there from an earlier attempt or run. */
  resumedFrom: number;
}

export interface Sink {
  /** Printable destination: a folder or `s3://bucket/prefix`. */
  readonly destination: string;
  /** Checks or creates what every download needs (the bucket); throws a typed error. */
  prepare(): Promise<void>;
  /** Where one name ends up, for the report. */
  targetOf(name: string): string;
  /** True when a complete copy is there (and matches `sha256` when given). */
  isComplete(entry: DownloadEntry, name: string): Promise<boolean>;
  attempt(ctx: AttemptContext): Promise<AttemptResult>;
}

/** The length the server promised for this body, when it said. */
export function expectedLength(res: OpenedResponse): number | undefined {
  const raw = res.headers['content-length'];
  const v = Array.isArray(raw) ? raw[0] : raw;
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * A pass-through that counts and (when asked) hashes the body, and fails before the
 * end if the body is short or its digest is wrong, so no consumer ever sees a clean
 * end of a bad body: a file is not renamed, an S3 upload is not completed.
 */
export function verifiedBody(
  body: Readable,
  options: { expected?: number; sha256?: string; hash?: Hash; onBytes: (n: number) => void },
): { stream: AsyncGenerator<Buffer>; received: () => number } {
  let received = 0;
  const hash = options.sha256 ? (options.hash ?? createHash('sha256')) : undefined;
  async function* pass(): AsyncGenerator<Buffer> {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      received += chunk.length;
      hash?.update(chunk);
      options.onBytes(chunk.length);
      yield chunk;
    }
    if (options.expected !== undefined && received !== options.expected) {
      throw new DownloadError('truncated', `body ended after ${received} of ${options.expected} bytes`, { retryable: true });
    }
    if (hash && options.sha256) {
      const got = hash.digest('hex');
      if (got !== options.sha256) {
        throw new DownloadError('checksum', `sha256 mismatch: got ${got.slice(0, 12)}…, expected ${options.sha256.slice(0, 12)}…`, { retryable: true });
      }
    }
  }
  return { stream: pass(), received: () => received };
}

/**
 * Discards an unwanted body (an error page, a refused range). A short one is read to
 * its end so the connection can be reused; a long one is cut. Either way no error
 * escapes: an unheard 'error' event on a destroyed body would crash the process.
 */
export function discard(body: Readable): void {
  body.on('error', () => undefined);
  const dump = (body as Readable & { dump?: (o: { limit: number }) => Promise<void> }).dump;
  if (dump) void dump.call(body, { limit: 64 * 1024 }).catch(() => undefined);
  else body.destroy();
}
