/**
 * The consumers of a load run: K process-sqs workers, in this process (processSqs as a
 * library) or as child processes (`sqsops process-sqs`). Either way a message counts as
 * done when the worker's action log says so: `store ok` (after the ledger's complete),
 * `duplicate skip`, `dlq ok` or `rejects ok`. Children report those as JSON log lines on
 * stderr, so both modes are measured by one rule. Workers take only the run's own messages
 * (others are made visible again at once) and key the ledger apart (runMark.ts). Pausing stops the workers (in-flight work
 * finishes, as on a deploy); resuming starts fresh ones, as a restarted consumer would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { AwsClients } from '../../aws/clients.js';
import type { Metrics } from '../../core/metrics.js';
import { processSqs, type ProcessSqsOptions } from '../process/runner.js';
import { observers, type PipelineObserver } from '../../core/tracing.js';
import { runKeySuffix, sentByRun } from './runMark.js';

/** A queue's name from its name or URL. */
const queueName = (queue: string) => queue.slice(queue.lastIndexOf('/') + 1);

export type DoneKind = 'saved' | 'duplicate' | 'dlq' | 'rejected';

/** Every action-log line of every worker, in-process or from a child's stderr. */
export type OnAction = (traceId: string, action: string, status: string, details: Record<string, unknown>) => void;

/** The processSqs options every in-process worker gets (the queue, signal and log are the run's). */
export type InProcessWorker = Omit<
  ProcessSqsOptions,
  'queue' | 'signal' | 'log' | 'drain' | 'count' | 'metrics' | 'onProgress' | 'accept' | 'keySuffix'
>;

export type WorkerSpec =
  /** `options` is called once per worker start: each gets its own sinks (a stopping worker closes its sinks). */
  | { mode: 'in-process'; options: () => Promise<InProcessWorker> }
  /** argv of one worker process after the node binary, e.g. [bin, '--json', 'process-sqs', ...]; `--queue` is added. */
  | { mode: 'processes'; argv: string[]; env?: NodeJS.ProcessEnv };

export interface WorkerPool {
  readonly running: number;
  start(): void;
  /** Stops every worker and waits for their in-flight messages. */
  stop(): Promise<void>;
  /** The first error a worker died of, if any. */
  readonly error: Error | undefined;
}

export function doneKind(action: unknown, status: unknown): DoneKind | undefined {
  if (action === 'store' && status === 'ok') return 'saved';
  if (action === 'duplicate') return 'duplicate';
  if (action === 'dlq' && status === 'ok') return 'dlq';
  if (action === 'rejects' && status === 'ok') return 'rejected';
  return undefined;
}

/** What every worker of a pool reports to. */
interface PoolSink {
  metrics: Metrics;
  runId: string;
  onAction: OnAction;
  observer: PipelineObserver | undefined;
  /** Keeps the first error a worker died of. */
  fail: (e: unknown) => void;
}

interface Worker {
  stop(): void;
  done: Promise<void>;
}

export function createWorkerPool(
  clients: AwsClients,
  queue: string,
  count: number,
  spec: WorkerSpec,
  metrics: Metrics,
  runId: string,
  onAction: OnAction,
  /** Gets in-process workers' settled messages (stage timings); processes keep theirs. */
  observer?: PipelineObserver,
): WorkerPool {
  let running: Worker[] = [];
  let error: Error | undefined;
  const fail = (e: unknown) => {
    error ??= e instanceof Error ? e : new Error(String(e));
  };
  const to: PoolSink = { metrics, runId, onAction, observer, fail };
  const one = (): Worker =>
    spec.mode === 'in-process'
      ? inProcess(clients, queue, spec.options, to)
      : child([...spec.argv, '--queue', queue, '--consumer', queueName(queue), '--load-run', runId], spec.env, to);
  return {
    get running() {
      return running.length;
    },
    get error() {
      return error;
    },
    start() {
      if (running.length === 0) running = Array.from({ length: count }, one);
    },
    async stop() {
      const stopping = running;
      running = [];
      for (const w of stopping) w.stop();
      await Promise.all(stopping.map((w) => w.done));
    },
  };
}

/** processSqs as a library, on the run's queue, for the run's messages only. */
function inProcess(clients: AwsClients, queue: string, make: () => Promise<InProcessWorker>, to: PoolSink): Worker {
  const ac = new AbortController();
  const done = make()
    .then((options) =>
      processSqs(clients, {
        ...options,
        queue,
        // The run's records belong to its queue's consumer, whatever SQSOPS_CONSUMER says (cleanup.ts finds them there).
        consumer: queueName(queue),
        // A short wait: a paused or finished run stops receiving within a second.
        waitSeconds: Math.min(options.waitSeconds ?? 1, 1),
        signal: ac.signal,
        metrics: to.metrics,
        accept: sentByRun(to.runId),
        keySuffix: runKeySuffix(to.runId),
        stages: observers(options.stages, to.observer),
        log: (traceId, action, status, details) => to.onAction(traceId, action, status, details ?? {}),
      }),
    )
    .then(() => undefined, to.fail);
  return { stop: () => ac.abort(), done };
}

/** `sqsops process-sqs` as a child: its JSON action log on stderr, its --json result on stdout. */
function child(argv: string[], env: NodeJS.ProcessEnv | undefined, to: PoolSink): Worker {
  const proc: ChildProcess = spawn(process.execPath, argv, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const notes = readActions(proc, to.onAction);
  let stopped = false;
  const done = new Promise<void>((resolve) => {
    proc.on('error', (e) => {
      to.fail(e);
      resolve();
    });
    proc.on('close', (code) => {
      foldResult(stdout, to.metrics);
      if (!stopped && code !== 0) to.fail(new Error(`worker process exited with code ${code}: ${notes.join(' / ')}`));
      resolve();
    });
  });
  const stop = () => {
    stopped = true;
    proc.kill('SIGTERM');
  };
  return { stop, done };
}

/** Hands each JSON action-log line of the child's stderr to `onAction`; returns the first few other lines (why it died). */
function readActions(proc: ChildProcess, onAction: OnAction): string[] {
  const notes: string[] = [];
  createInterface({ input: proc.stderr! }).on('line', (line) => {
    if (!line.startsWith('{')) {
      if (notes.length < 5) notes.push(line);
      return;
    }
    try {
      const entry = JSON.parse(line) as { trace_id?: string; action?: string; status?: string; details?: Record<string, unknown> };
      if (entry.trace_id && entry.action && entry.status) onAction(entry.trace_id, entry.action, entry.status, entry.details ?? {});
    } catch {
      // not a log line
    }
  });
  return notes;
}

/** The child's --json result: its counters folded into the run's. */
function foldResult(stdout: string, metrics: Metrics): void {
  try {
    const result = JSON.parse(stdout) as { metrics?: Record<string, number> };
    for (const [k, v] of Object.entries(result.metrics ?? {})) metrics.inc(k as never, v);
  } catch {
    // no result: it died; the exit code says how
  }
}
