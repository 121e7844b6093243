/** What a download run reports: per URL, in input order, and as running totals for progress. */
import type { DownloadErrorCode } from './errors.js';
import type { EntryProblem } from './input.js';

export type DownloadStatus = 'downloaded' | 'resumed' | 'skipped' | 'failed';

export interface DownloadItemResult {
  /** Where the entry came from: `list.json[3]`, `urls.ndjson:4`. */
  source: string;
  /** The URL with credentials and query values masked. */
  url: string;
  /** The final file path or `s3://bucket/key`. */
  target: string;
  status: DownloadStatus;
  /** Bytes of the complete file or object (0 when skipped or failed). */
  size: number;
  durationMs: number;
  /** Requests made (redirects not counted). */
  attempts: number;
  /** Bytes that an earlier attempt or run had already written. */
  resumedFrom?: number;
  /** Why it was skipped: `already there`, `duplicate of list.json[0]`. */
  note?: string;
  code?: DownloadErrorCode;
  /** Why it failed, secrets scrubbed. */
  error?: string;
}

export interface DownloadReport {
  /** The folder or `s3://bucket/prefix/`. */
  destination: string;
  /** Valid entries (duplicates included). */
  total: number;
  downloaded: number;
  skipped: number;
  failed: number;
  /** Entries rejected by validation (listed in `problems`). */
  invalid: number;
  /** Bytes received over the network in this run, retries included. */
  bytes: number;
  durationMs: number;
  bytesPerSecond: number;
  items: DownloadItemResult[];
  problems: EntryProblem[];
  stoppedBy?: string;
}

export interface DownloadProgress {
  total: number;
  /** Finished, whatever the outcome. */
  done: number;
  failed: number;
  skipped: number;
  bytes: number;
  elapsedMs: number;
  bytesPerSecond: number;
}

/** Running totals. Byte updates are throttled (a 1 GiB file is 16,000 chunks); completions always report. */
export function createProgress(total: number, emit: (p: DownloadProgress) => void, everyMs = 100) {
  const started = performance.now();
  let done = 0;
  let failed = 0;
  let skipped = 0;
  let bytes = 0;
  let last = 0;
  const snapshot = (): DownloadProgress => {
    const elapsedMs = performance.now() - started;
    return { total, done, failed, skipped, bytes, elapsedMs, bytesPerSecond: bytes / Math.max(elapsedMs / 1000, 0.001) };
  };
  return {
    snapshot,
    bytes(n: number): void {
      bytes += n;
      const now = performance.now();
      if (now - last >= everyMs) {
        last = now;
        emit(snapshot());
      }
    },
    finished(item: { status: DownloadStatus }): void {
      done++;
      if (item.status === 'failed') failed++;
      if (item.status === 'skipped') skipped++;
      emit(snapshot());
    },
  };
}
