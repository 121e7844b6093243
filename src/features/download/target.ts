/**
 * Where downloads go: a FileTarget is a byte destination for files (a folder or an S3
 * prefix), not a message sink (process/sinks). The downloader asks a target whether a
 * download is already complete there, then has it run attempts; the target reports bytes as they arrive
 * and never leaves a half-written body under the final name.
 */
import { createHash, type Hash } from 'node:crypto';
import type { DownloadEntry } from './input.js';
import type { OpenedResponse, ResponseBody } from './http.js';
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

export interface FileTarget {
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
 * Counts and (when asked) hashes the body on its way to `onChunk`, and fails before the
 * end if the body is short or its digest is wrong, so no consumer ever sees a clean end
 * of a bad body: a file is not renamed, an S3 upload is not completed.
 */
export function verifiedBody(
  body: ResponseBody,
  options: { expected?: number; sha256?: string; hash?: Hash; onBytes: (n: number) => void },
): { read: (onChunk: (chunk: Buffer) => void | Promise<void>) => Promise<void>; received: () => number } {
  let received = 0;
  const hash = options.sha256 ? (options.hash ?? createHash('sha256')) : undefined;
  return {
    received: () => received,
    async read(onChunk) {
      await body.read((chunk) => {
        received += chunk.length;
        hash?.update(chunk);
        options.onBytes(chunk.length);
        return onChunk(chunk);
      });
      if (options.expected !== undefined && received !== options.expected) {
        throw new DownloadError('truncated', `body ended after ${received} of ${options.expected} bytes`, { retryable: true });
      }
      if (hash && options.sha256) {
        const got = hash.digest('hex');
        if (got !== options.sha256) {
          throw new DownloadError('checksum', `sha256 mismatch: got ${got.slice(0, 12)}…, expected ${options.sha256.slice(0, 12)}…`, {
            retryable: true,
          });
        }
      }
    },
  };
}

/**
 * The body as a stream of copies, for consumers that keep chunks (S3 parts). One chunk
 * is handed over at a time, so the socket waits while the consumer is busy.
 */
export async function* chunksOf(read: (onChunk: (chunk: Buffer) => Promise<void>) => Promise<void>): AsyncGenerator<Buffer> {
  type Slot = { chunk: Buffer; taken: () => void; drop: (e: unknown) => void };
  let slot: Slot | undefined;
  let wake: (() => void) | undefined;
  let ended = false;
  let failure: { error: unknown } | undefined;
  void read(
    (chunk) =>
      new Promise<void>((taken, drop) => {
        slot = { chunk: Buffer.from(chunk), taken, drop };
        wake?.();
      }),
  )
    .catch((error: unknown) => {
      failure = { error };
    })
    .finally(() => {
      ended = true;
      wake?.();
    });
  let lent: Slot | undefined;
  try {
    // Bounded by the body: each turn takes a chunk or ends.
    for (;;) {
      if (!slot && !ended) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      if (slot) {
        lent = slot;
        slot = undefined;
        yield lent.chunk;
        lent.taken();
        lent = undefined;
        continue;
      }
      if (failure) throw failure.error;
      return;
    }
  } finally {
    // The consumer stopped early: cut the body, or its connection would wait for ever.
    lent?.drop(new DownloadError('aborted', 'the body was not read to its end'));
  }
}
