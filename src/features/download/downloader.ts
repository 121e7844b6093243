/**
 * `downloadUrls`: many URLs at once, each retried on its own, into a folder or S3.
 * Concurrency is global (p-limit) and optionally per host; retries (p-retry) are
 * for network errors, 429 and 5xx, with Retry-After honoured and jittered
 * exponential backoff otherwise. The slots are released while an item waits to
 * retry, so one slow host never holds the others up. Never prints: progress goes
 * to the callback, and the report comes back with every URL redacted.
 */
import pRetry from 'p-retry';
import { setTimeout as sleep } from 'node:timers/promises';
import { VERSION } from '../../version.js';
import { EndpointError } from '../../core/errors.js';
import { DownloadError, toDownloadError } from './errors.js';
import { HttpClient, openUrl, type HttpOptions } from './http.js';
import { createSlots, type Slots } from './slots.js';
import type { DownloadEntry, EntryProblem } from './input.js';
import { assignNames } from './names.js';
import { MAX_CHECKSUM_RETRIES, MAX_FREE_RESUMES, retryDelayMs, type RetryTiming } from './policy.js';
import { redact, redactUrl, secretsOf } from '../../core/redact.js';
import type { FileTarget } from './target.js';
import type { S3Destination } from './s3Target.js';
import { createProgress, type DownloadItemResult, type DownloadProgress, type DownloadReport } from './report.js';
import type { AttemptResult } from './target.js';
import { DEFAULTS } from '../../config.js';

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

/** What every item of one run shares. */
interface Run {
  options: DownloadOptions;
  target: FileTarget;
  slots: Slots;
  progress: ReturnType<typeof createProgress>;
  client: HttpClient;
  http: HttpOptions;
  /** The caller's signal, or the proxy's first refusal. */
  signal: AbortSignal;
  proxyDown: AbortController;
  nameOf: (entry: DownloadEntry, index: number) => string;
}

/** One item's attempts so far: what p-retry's hooks count and the next attempt reads. */
interface Tries {
  attempts: number;
  checksumFailures: number;
  freeResumes: number;
  /** The next attempt starts over instead of resuming this run's .part. */
  fresh: boolean;
}

type Outcome = Omit<DownloadItemResult, 'source' | 'url' | 'target' | 'durationMs'>;

export async function downloadUrls(
  options: DownloadOptions,
  onProgress: (p: DownloadProgress) => void = () => undefined,
): Promise<DownloadReport> {
  const { entries } = options;
  // A proxy that cannot be reached (or wants credentials) fails every URL alike: its first such failure stops the run as Ctrl-C does.
  const proxyDown = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, proxyDown.signal]) : proxyDown.signal;
  const target = await openTarget(options);
  const run: Run = {
    options,
    target,
    slots: createSlots(Math.max(1, options.concurrency ?? 16), options.perHost),
    progress: createProgress(entries.length, onProgress),
    client: new HttpClient(options),
    http: { ...options, userAgent: options.userAgent ?? `sqsops/${VERSION}` },
    signal,
    proxyDown,
    nameOf: nameEntries(entries),
  };
  const started = performance.now();
  let items: DownloadItemResult[];
  try {
    items = await run.slots.launcher.run(entries.length, async (i) => {
      const r = await downloadOne(run, entries[i]!, i);
      run.progress.finished(r);
      return r;
    });
  } finally {
    await run.client.close();
  }
  if (proxyDown.signal.aborted) {
    const err = proxyDown.signal.reason as DownloadError;
    throw new EndpointError(err.message, { hint: `${err.hint}; files already downloaded are kept`, cause: err });
  }
  return summarize(run, items, Math.round(performance.now() - started));
}

async function openTarget(options: DownloadOptions): Promise<FileTarget> {
  const target: FileTarget = options.s3
    ? new (await import('./s3Target.js')).S3Target(options.s3)
    : new (await import('./diskTarget.js')).DiskTarget(options.outDir ?? '.', { durable: options.durable ?? true });
  await target.prepare();
  return target;
}

/** Names by position (sources are labels, not keys); a duplicate takes its original's name. */
function nameEntries(entries: readonly DownloadEntry[]): (entry: DownloadEntry, index: number) => string {
  const primary = entries.map((e, i) => ({ e, i })).filter(({ e }) => !e.duplicateOf);
  const assigned = assignNames(primary.map(({ e }) => e));
  const names: string[] = [];
  for (const [k, { i }] of primary.entries()) names[i] = assigned[k]!;
  const bySource = new Map<string, string>();
  for (const { e, i } of primary) if (!bySource.has(e.source)) bySource.set(e.source, names[i]!);
  return (entry, index) => (entry.duplicateOf ? (bySource.get(entry.duplicateOf) ?? names[index]!) : names[index]!);
}

async function downloadOne(run: Run, entry: DownloadEntry, index: number): Promise<DownloadItemResult> {
  // Time counts from the item's first slot, not from the start of the run: queueing is not its time.
  let started: number | undefined;
  const begin = () => (started ??= performance.now());
  const name = run.nameOf(entry, index);
  const base = { source: entry.source, url: redactUrl(entry.url), target: run.target.targetOf(name) };
  const done = (r: Outcome): DownloadItemResult => ({
    ...base,
    ...r,
    durationMs: started === undefined ? 0 : Math.round(performance.now() - started),
  });
  if (entry.duplicateOf) return done({ status: 'skipped', size: 0, attempts: 0, note: `duplicate of ${entry.duplicateOf}` });
  const force = run.options.force ?? false;
  const tries: Tries = { attempts: 0, checksumFailures: 0, freeResumes: 0, fresh: force };
  try {
    const complete = () => {
      begin();
      return run.target.isComplete(entry, name);
    };
    if (!force && (await run.slots.slot(entry.url, complete))) {
      return done({ status: 'skipped', size: 0, attempts: 0, note: 'already there' });
    }
    const r = await fetchWithRetries(run, entry, name, tries, begin);
    return done({
      status: r.resumedFrom > 0 ? 'resumed' : 'downloaded',
      size: r.size,
      attempts: tries.attempts,
      ...(r.resumedFrom > 0 ? { resumedFrom: r.resumedFrom } : {}),
    });
  } catch (e: unknown) {
    return done(failure(run, entry, e, tries.attempts));
  }
}

function fetchWithRetries(run: Run, entry: DownloadEntry, name: string, tries: Tries, begin: () => void): Promise<AttemptResult> {
  const { signal, target, slots, progress } = run;
  const attempt = () =>
    slots.slot(entry.url, async () => {
      // Interrupted: start nothing new. What is already running finishes (a second Ctrl-C exits at once).
      if (signal.aborted) throw new DownloadError('aborted', 'interrupted');
      begin();
      tries.attempts++;
      // Only the first attempt (or the one after a checksum mismatch) starts over; later ones resume this run's .part.
      const startOver = tries.fresh;
      tries.fresh = false;
      try {
        return await target.attempt({
          entry,
          name,
          fresh: startOver,
          onBytes: progress.bytes,
          open: (extra) => openUrl(run.client, entry.url, entry.headers ?? {}, extra, run.http),
        });
      } catch (e: unknown) {
        throw toDownloadError(e);
      }
    });
  return pRetry(attempt, {
    retries: run.options.retries ?? DEFAULTS['download-urls'].retries,
    // Delays are ours (Retry-After or jitter), slept in shouldRetry outside any slot.
    minTimeout: 0,
    maxTimeout: 0,
    // No `signal` here on purpose: p-retry would turn an attempt that finished during an interrupt into a failure.
    shouldConsumeRetry: ({ error }) => {
      if (!(error instanceof DownloadError) || !error.madeProgress || tries.freeResumes >= MAX_FREE_RESUMES) return true;
      tries.freeResumes++;
      return false;
    },
    shouldRetry: ({ error, retriesConsumed }) => waitToRetry(run, tries, error, retriesConsumed),
  });
}

/** Whether a failed attempt is tried again, after its delay (slept with the item parked, outside any slot). */
async function waitToRetry(run: Run, tries: Tries, error: unknown, retriesConsumed: number): Promise<boolean> {
  const { signal, slots } = run;
  if (!(error instanceof DownloadError) || !error.retryable || signal.aborted) return false;
  if (error.code === 'checksum') {
    if (++tries.checksumFailures > MAX_CHECKSUM_RETRIES) return false;
    // The corrupt bytes are gone; whatever the server holds is fetched whole again.
    tries.fresh = true;
  }
  slots.launcher.park();
  try {
    await sleep(retryDelayMs(Math.max(1, retriesConsumed), error, run.options.retryTiming), undefined, { signal });
  } catch {
    return false;
  } finally {
    slots.launcher.unpark();
  }
  return true;
}

/** An item that failed for good: its error, with the URL's secrets redacted. A refusing proxy stops the run. */
function failure(run: Run, entry: DownloadEntry, e: unknown, attempts: number): Outcome {
  const err = toDownloadError(e);
  if (err.code === 'proxy' && !run.proxyDown.signal.aborted) run.proxyDown.abort(err);
  const message = run.signal.aborted && err.retryable && err.code !== 'aborted' ? `${err.message}; not retried (interrupted)` : err.message;
  return { status: 'failed', size: 0, attempts, code: err.code, error: redact(message, secretsOf(entry.url, entry.headers)) };
}

function summarize(run: Run, items: DownloadItemResult[], durationMs: number): DownloadReport {
  const { options } = run;
  const bytes = run.progress.snapshot().bytes;
  return {
    destination: run.target.destination,
    total: options.entries.length,
    downloaded: items.filter((i) => i.status === 'downloaded' || i.status === 'resumed').length,
    skipped: items.filter((i) => i.status === 'skipped').length,
    failed: items.filter((i) => i.status === 'failed').length,
    invalid: options.problems?.length ?? 0,
    bytes,
    durationMs,
    bytesPerSecond: bytes / Math.max(durationMs / 1000, 0.001),
    items,
    problems: [...(options.problems ?? [])],
    ...(run.signal.aborted ? { stoppedBy: 'interrupted' } : {}),
  };
}
