/**
 * `downloadUrls`: many URLs at once, each retried on its own, into a folder or S3.
 * Concurrency is global (p-limit) and optionally per host; retries (p-retry) are
 * for network errors, 429 and 5xx, with Retry-After honoured and jittered
 * exponential backoff otherwise. The slots are released while an item waits to
 * retry, so one slow host never holds the others up. Never prints: progress goes
 * to the callback, and the report comes back with every URL redacted.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import pRetry from 'p-retry';
import { setTimeout as sleep } from 'node:timers/promises';
import { VERSION } from '../../version.js';
import { EndpointError } from '../../core/errors.js';
import { DownloadError, toDownloadError } from './errors.js';
import { HttpClient, openUrl, type HttpOptions } from './http.js';
import { createLauncher } from './launcher.js';
import type { DownloadEntry, EntryProblem } from './input.js';
import { assignNames } from './names.js';
import { MAX_CHECKSUM_RETRIES, MAX_FREE_RESUMES, retryDelayMs, type RetryTiming } from './policy.js';
import { redact, redactUrl, secretsOf } from '../../core/redact.js';
import type { FileTarget } from './target.js';
import type { S3Destination } from './s3Target.js';
import { createProgress, type DownloadItemResult, type DownloadProgress, type DownloadReport } from './report.js';

export interface DownloadOptions extends HttpOptions {
  /** Validated entries (see `readDownloadLists` / `parseEntries`). */
  entries: readonly DownloadEntry[];
  /** Bad input entries, carried into the report so one document tells the whole story. */
  problems?: readonly EntryProblem[];
  /** Folder for the files. @default '.' */
  outDir?: string;
  /** Send every body to S3 instead of a folder. */
  s3?: S3Destination;
  /** Downloads in flight at once. @default 16 */
  concurrency?: number;
  /** At most this many at once per host (of the URL as given); 0 for no cap. @default 0 */
  perHost?: number;
  /** Retries per URL after the first attempt. @default 4 */
  retries?: number;
  /** Fetch again even when a complete copy is there. @default false */
  force?: boolean;
  /**
   * Folder only: fdatasync each file before it takes its final name, so a crash never
   * leaves a final name with missing bytes. @default true
   */
  durable?: boolean;
  /** Backoff base/cap and the longest Retry-After honoured. */
  retryTiming?: RetryTiming;
  /**
   * Stops starting downloads and retries; transfers already running finish (and an
   * unfinished one keeps its .part for the next run). Not-started URLs fail as `aborted`.
   */
  signal?: AbortSignal;
}

export async function downloadUrls(
  options: DownloadOptions,
  onProgress: (p: DownloadProgress) => void = () => undefined,
): Promise<DownloadReport> {
  const { entries, retries = 4, force = false } = options;
  // A proxy that cannot be reached (or wants credentials) fails every URL alike: its first such failure stops the run as Ctrl-C does.
  const proxyDown = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, proxyDown.signal]) : proxyDown.signal;
  const target: FileTarget = options.s3
    ? new (await import('./s3Target.js')).S3Target(options.s3)
    : new (await import('./diskTarget.js')).DiskTarget(options.outDir ?? '.', { durable: options.durable ?? true });
  await target.prepare();

  // Names by position (sources are labels, not keys); a duplicate takes its original's name.
  const primary = entries.map((e, i) => ({ e, i })).filter(({ e }) => !e.duplicateOf);
  const assigned = assignNames(primary.map(({ e }) => e));
  const names: string[] = [];
  for (const [k, { i }] of primary.entries()) names[i] = assigned[k]!;
  const bySource = new Map<string, string>();
  for (const { e, i } of primary) if (!bySource.has(e.source)) bySource.set(e.source, names[i]!);
  const progress = createProgress(entries.length, onProgress);
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const global = pLimit(concurrency);
  // Twice the slots: a freed slot always finds an item ready for it.
  const launcher = createLauncher(2 * concurrency);
  const hosts = new Map<string, LimitFunction>();
  const slot = <T>(url: string, fn: () => Promise<T>): Promise<T> => {
    if (!options.perHost) return global(fn);
    const host = hostOf(url);
    let limit = hosts.get(host);
    if (!limit) {
      limit = pLimit(options.perHost);
      hosts.set(host, limit);
    }
    // Host slot first: an item waiting on its host does not sit on a global slot, and steps aside for items of other hosts.
    launcher.park();
    return limit(() => {
      launcher.unpark();
      return global(fn);
    });
  };
  const client = new HttpClient(options);
  const http = { ...options, userAgent: options.userAgent ?? `sqsops/${VERSION}` };

  async function one(entry: DownloadEntry, index: number): Promise<DownloadItemResult> {
    // Time counts from the item's first slot, not from the start of the run: queueing is not its time.
    let started: number | undefined;
    const begin = () => (started ??= performance.now());
    const name = entry.duplicateOf ? (bySource.get(entry.duplicateOf) ?? names[index]!) : names[index]!;
    const base = { source: entry.source, url: redactUrl(entry.url), target: target.targetOf(name) };
    const done = (r: Omit<DownloadItemResult, 'source' | 'url' | 'target' | 'durationMs'>): DownloadItemResult => ({
      ...base,
      ...r,
      durationMs: started === undefined ? 0 : Math.round(performance.now() - started),
    });
    if (entry.duplicateOf) return done({ status: 'skipped', size: 0, attempts: 0, note: `duplicate of ${entry.duplicateOf}` });
    let attempts = 0;
    let checksumFailures = 0;
    let freeResumes = 0;
    let fresh = force;
    try {
      const complete = () => {
        begin();
        return target.isComplete(entry, name);
      };
      if (!force && (await slot(entry.url, complete))) {
        return done({ status: 'skipped', size: 0, attempts: 0, note: 'already there' });
      }
      const r = await pRetry(
        () =>
          slot(entry.url, async () => {
            // Interrupted: start nothing new. What is already running finishes (a second Ctrl-C exits at once).
            if (signal.aborted) throw new DownloadError('aborted', 'interrupted');
            begin();
            attempts++;
            // Only the first attempt (or the one after a checksum mismatch) starts over; later ones resume this run's .part.
            const startOver = fresh;
            fresh = false;
            try {
              return await target.attempt({
                entry,
                name,
                fresh: startOver,
                onBytes: progress.bytes,
                open: (extra) => openUrl(client, entry.url, entry.headers ?? {}, extra, http),
              });
            } catch (e: unknown) {
              throw toDownloadError(e);
            }
          }),
        {
          retries,
          // Delays are ours (Retry-After or jitter), slept in shouldRetry outside any slot.
          minTimeout: 0,
          maxTimeout: 0,
          // No `signal` here on purpose: p-retry would turn an attempt that finished during an interrupt into a failure.
          shouldConsumeRetry: ({ error }) => {
            if (!(error instanceof DownloadError) || !error.madeProgress || freeResumes >= MAX_FREE_RESUMES) return true;
            freeResumes++;
            return false;
          },
          shouldRetry: async ({ error, retriesConsumed }) => {
            if (!(error instanceof DownloadError) || !error.retryable || signal.aborted) return false;
            if (error.code === 'checksum') {
              if (++checksumFailures > MAX_CHECKSUM_RETRIES) return false;
              // The corrupt bytes are gone; whatever the server holds is fetched whole again.
              fresh = true;
            }
            launcher.park();
            try {
              await sleep(retryDelayMs(Math.max(1, retriesConsumed), error, options.retryTiming), undefined, { signal });
            } catch {
              return false;
            } finally {
              launcher.unpark();
            }
            return true;
          },
        },
      );
      return done({
        status: r.resumedFrom > 0 ? 'resumed' : 'downloaded',
        size: r.size,
        attempts,
        ...(r.resumedFrom > 0 ? { resumedFrom: r.resumedFrom } : {}),
      });
    } catch (e: unknown) {
      const err = toDownloadError(e);
      if (err.code === 'proxy' && !proxyDown.signal.aborted) proxyDown.abort(err);
      const message = signal.aborted && err.retryable && err.code !== 'aborted' ? `${err.message}; not retried (interrupted)` : err.message;
      return done({ status: 'failed', size: 0, attempts, code: err.code, error: redact(message, secretsOf(entry.url, entry.headers)) });
    }
  }

  const started = performance.now();
  let items: DownloadItemResult[];
  try {
    items = await launcher.run(entries.length, async (i) => {
      const r = await one(entries[i]!, i);
      progress.finished(r);
      return r;
    });
  } finally {
    await client.close();
  }
  if (proxyDown.signal.aborted) {
    const err = proxyDown.signal.reason as DownloadError;
    throw new EndpointError(err.message, { hint: `${err.hint}; files already downloaded are kept`, cause: err });
  }
  const durationMs = Math.round(performance.now() - started);
  const bytes = progress.snapshot().bytes;
  return {
    destination: target.destination,
    total: entries.length,
    downloaded: items.filter((i) => i.status === 'downloaded' || i.status === 'resumed').length,
    skipped: items.filter((i) => i.status === 'skipped').length,
    failed: items.filter((i) => i.status === 'failed').length,
    invalid: options.problems?.length ?? 0,
    bytes,
    durationMs,
    bytesPerSecond: bytes / Math.max(durationMs / 1000, 0.001),
    items,
    problems: [...(options.problems ?? [])],
    ...(signal.aborted ? { stoppedBy: 'interrupted' } : {}),
  };
}

function hostOf(url: string): string {
  return new URL(url).host;
}
