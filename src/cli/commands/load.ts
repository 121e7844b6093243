/**
 * `sqsops load`: parse, call runLoad, render. On a terminal a live view is redrawn
 * each interval on stderr; with --json one line per interval goes to stdout, then one
 * line with the result. `--report` writes the self-contained HTML report.
 */
import { writeFile } from 'node:fs/promises';
import type { CommandContext } from '../context.js';
import { parseChoiceFlag } from '../../core/flags.js';
import { PartialFailureError, UsageError } from '../../core/errors.js';
import { parseDuration, parseRate } from '../../core/rateSchedule.js';
import type { LoadResult, LoadSample } from '../../features/load/types.js';
import type { WorkerSpec } from '../../features/load/workers.js';
import { resolveProcessConfig, type ProcessFlags } from '../../features/process/config.js';
import { liveView } from './loadView.js';

export interface LoadFlags {
  queue?: string;
  sharedQueue?: boolean;
  keep?: boolean;
  rate?: string;
  steps?: number;
  duration?: string;
  workers: number;
  workersAsProcesses?: boolean;
  pauseWorkersAt?: string;
  resumeAt?: string;
  maxAge?: string;
  drainTimeout?: string;
  interval?: string;
  logFormat?: string;
  report?: string;
  sendConcurrency: number;
  concurrency: number;
  key?: string;
  table?: string;
  ledger?: boolean;
  sink?: string[];
  handler?: string[];
  schema?: string;
  bucket?: string;
}

/** The process-sqs flags of every worker: in-process ones resolve their pipeline from them as process-sqs does. */
function workerFlags(f: LoadFlags, concurrency: number): ProcessFlags {
  const flags: ProcessFlags = { logFormat: 'json', metrics: 'table', wait: '1', concurrency: String(concurrency) };
  return { ...flags, key: f.key, table: f.table, ledger: f.ledger, sink: f.sink, handler: f.handler, schema: f.schema, bucket: f.bucket };
}

/** Those flags as a worker process's arguments, spelled as process-sqs spells them. */
function workerArgs(w: ProcessFlags): string[] {
  const args = ['--log-format', w.logFormat!, '--metrics', w.metrics!, '--wait', w.wait!, '--concurrency', w.concurrency!];
  if (w.key) args.push('--key', w.key);
  if (w.table) args.push('--table', w.table);
  if (w.ledger === false) args.push('--no-ledger');
  if (w.sink?.length) args.push('--sink', ...w.sink);
  if (w.handler?.length) args.push('--handler', ...w.handler);
  if (w.schema) args.push('--schema', w.schema);
  if (w.bucket) args.push('--bucket', w.bucket);
  return args;
}

async function workerSpec(f: LoadFlags, ctx: CommandContext, concurrency: number): Promise<WorkerSpec> {
  // Bad flags (a sink, a key, a schema variable) fail before anything is sent, in either mode.
  const flags = workerFlags(f, concurrency);
  const config = resolveProcessConfig(ctx.env, flags);
  if (f.workersAsProcesses) {
    const g = ctx.globals;
    const globals: string[] = [];
    if (g.endpointUrl) globals.push('--endpoint-url', g.endpointUrl);
    if (g.region) globals.push('--region', g.region);
    if (g.profile) globals.push('--profile', g.profile);
    // The same CLI that runs this command (bin/sqsops.js), so workers are the same version.
    const argv = [process.argv[1]!, ...globals, '--quiet', '--json', 'process-sqs', ...workerArgs(flags)];
    return { mode: 'processes', argv, env: ctx.env };
  }
  const { loadTaskSet } = await import('../../features/process/taskSinks.js');
  const { runOptions } = await import('../../features/process/runner.js');
  // Your code is loaded once, before anything is sent: a broken module fails the run at once.
  const taskSet = config.tasks ? await loadTaskSet(config.tasks, ctx.env) : undefined;
  // Each worker builds its own pipeline (a stopping worker closes its sinks) with an owner of its own.
  const { queue: _queue, drain: _drain, count: _count, ...worker } = runOptions(config);
  const seen = new Set<string>();
  const notify = (m: string) => {
    if (!seen.has(m)) ctx.out.note(m);
    seen.add(m);
  };
  return { mode: 'in-process', options: async () => ({ ...worker, ...(taskSet ? { taskSet } : {}), env: ctx.env, notify }) };
}

/** The run's times from the flags, checked together: one line names what is wrong. */
function loadTimes(f: LoadFlags) {
  const steps = f.steps ?? 0;
  const rate = parseRate(f.rate ?? '100', steps);
  if (steps && rate.rampMs === 0) throw new UsageError('--steps cuts a ramp into steps: give --rate FROM..TO/TIME');
  const durationMs = f.duration !== undefined ? parseDuration('--duration', f.duration) : Math.max(rate.rampMs, 30_000);
  const pauseAtMs = f.pauseWorkersAt !== undefined ? parseDuration('--pause-workers-at', f.pauseWorkersAt) : undefined;
  const resumeAtMs = f.resumeAt !== undefined ? parseDuration('--resume-at', f.resumeAt) : undefined;
  if ((pauseAtMs === undefined) !== (resumeAtMs === undefined)) {
    throw new UsageError('--pause-workers-at and --resume-at go together', { hint: 'e.g. --pause-workers-at 20s --resume-at 40s' });
  }
  if (pauseAtMs !== undefined && resumeAtMs !== undefined && resumeAtMs <= pauseAtMs) {
    throw new UsageError(`--resume-at (${f.resumeAt}) must come after --pause-workers-at (${f.pauseWorkersAt})`);
  }
  if (pauseAtMs !== undefined && pauseAtMs >= durationMs) {
    throw new UsageError(`--pause-workers-at (${f.pauseWorkersAt}) must fall inside --duration`);
  }
  const maxAgeMs = f.maxAge !== undefined ? parseDuration('--max-age', f.maxAge) : undefined;
  const drainTimeoutMs = parseDuration('--drain-timeout', f.drainTimeout ?? '60s');
  const intervalMs = parseDuration('--interval', f.interval ?? '1s');
  return { rate, durationMs, pauseAtMs, resumeAtMs, maxAgeMs, drainTimeoutMs, intervalMs };
}

export async function run(f: LoadFlags, ctx: CommandContext): Promise<void> {
  const times = loadTimes(f);
  // JSON on stderr from the first line on: a log collector parses all of it.
  const logJson = parseChoiceFlag('--log-format', f.logFormat ?? 'text', ['text', 'json'] as const) === 'json';
  if (logJson) ctx.out.logAsJson();
  if (times.intervalMs < 100) throw new UsageError('--interval must be at least 100ms');
  if (f.sharedQueue && !f.queue)
    throw new UsageError('--shared-queue goes with --queue', { hint: 'without --queue, load makes a queue of its own' });
  // Bad worker flags (a sink, a key, a schema) fail here, before the run is announced.
  const worker = await workerSpec(f, ctx, f.concurrency);
  const { runLoad, newRunId, runQueueName } = await import('../../features/load/load.js');
  const runId = newRunId();
  const queue = f.queue ?? runQueueName(runId);
  // The first line: which queue this run works on, before anything is connected or made.
  if (!f.queue)
    ctx.out.note(
      `load run ${runId} on ${queue}, a queue of its own (and ${queue}-dlq), ${f.keep ? 'kept at the end (--keep)' : 'removed at the end'}`,
    );
  else ctx.out.note(`load run ${runId} on ${queue}: its workers take only this run's messages`);
  const clients = await ctx.connect();

  const { out } = ctx;
  const view = out.json || out.quiet || logJson ? undefined : liveView(out, `load ${queue}, ${f.workers} workers`);
  let result: LoadResult;
  try {
    result = await runLoad(clients, {
      ...times,
      queue: f.queue,
      sharedQueue: f.sharedQueue,
      keep: f.keep,
      runId,
      ledgerTable: f.ledger === false ? false : (f.table ?? ctx.names.ledgerTable),
      workers: f.workers,
      worker,
      sendConcurrency: f.sendConcurrency,
      signal: ctx.signal,
      notify: (m) => ctx.out.note(m),
      onSample: (s: LoadSample) => {
        if (out.json) out.printLine({ type: 'sample', ...s });
        else if (logJson) out.log(JSON.stringify({ level: 'progress', ...s }));
        else view?.update(s);
      },
    });
  } finally {
    view?.stop();
  }
  await finish(result, f, ctx);
}

/** The report file, the summary, and the verdict: a run that did not do all it was asked fails. */
async function finish(result: LoadResult, f: LoadFlags, ctx: CommandContext): Promise<void> {
  if (f.report) {
    const { renderReport } = await import('../../features/load/report.js');
    await writeFile(f.report, renderReport(result), { mode: 0o600 });
  }
  render(result, ctx, f.report);
  const problems = failures(result);
  if (problems.length) {
    const hint = problems.map((p) => HINTS[p.split(':')[0]!]).find(Boolean);
    throw new PartialFailureError(problems.join('; '), { hint });
  }
}

const HINTS: Record<string, string> = {
  'sender limited':
    'this machine could not send that fast: lower --rate, raise --send-concurrency, or run the workers as processes ' +
    '(--workers-as-processes)',
  'left on the queue': 'raise --drain-timeout, or add --workers (or --concurrency)',
  lost: 'they left the queue unprocessed: another consumer of it, a purge, or its retention period took them',
  'max age': 'add workers (--workers, --concurrency) or lower --rate',
};

/** Each way the run did not do all it was asked, in one line each. */
export function failures(r: LoadResult): string[] {
  const out: string[] = [];
  if (r.stoppedBy) out.push(`stopped: ${r.stoppedBy}`);
  if (r.sendFailed) out.push(`not sent: ${r.sendFailed} messages`);
  if (r.senderLimited) out.push(`sender limited: ${r.achievedRate} msg/s sent of ${r.askedRate} asked`);
  if (r.leftOnQueue) out.push(`left on the queue: ${r.leftOnQueue} sent messages were not completed`);
  if (r.lost) out.push(`lost: ${r.lost} sent messages are gone, neither processed nor in the DLQ`);
  if (r.maxAgeLimitMs !== undefined && r.maxAgeMs > r.maxAgeLimitMs) {
    out.push(`max age: a message waited ${(r.maxAgeMs / 1000).toFixed(1)} s, over --max-age ${r.maxAgeLimitMs / 1000} s`);
  }
  return out;
}

function render(r: LoadResult, ctx: CommandContext, report: string | undefined): void {
  const { out } = ctx;
  if (out.json) {
    const { samples: _samples, ...rest } = r;
    out.printLine({ type: 'result', ...rest, report });
    return;
  }
  const l = r.latency;
  const limit = r.maxAgeLimitMs !== undefined ? ` (--max-age ${r.maxAgeLimitMs / 1000} s)` : '';
  const end = r.ownQueue ? (r.kept ? ' (kept)' : ' (removed with the queue)') : '';
  const rows: (string | number)[][] = [
    ['rate', `${r.rate}: ${r.achievedRate} of ${r.askedRate} msg/s sent${r.senderLimited ? ' (machine limited)' : ''}`],
    ['workers', `${r.workers.count} ${r.workers.mode}`],
    ['time', `${(r.durationMs / 1000).toFixed(1)} s sending, ${(r.drainMs / 1000).toFixed(1)} s draining`],
    ['sent', `${r.sent} = processed + in DLQ + left on the queue + lost`],
    ['processed', `${r.processed}${r.duplicatesSkipped ? ` (${r.duplicatesSkipped} skipped as duplicates)` : ''}`],
    ['in DLQ', `${r.inDlq}${r.dlq ? ` (in ${r.dlq}; ${r.toDlq} moved by the workers)` : ''}`],
    ['left on the queue', `${r.leftOnQueue}${r.leftOnQueue ? end : ''}`],
    ['lost', r.lost],
    ['latency', `p50 ${l.p50} ms, p90 ${l.p90} ms, p99 ${l.p99} ms, max ${l.max} ms`],
    ['oldest waited', `${(r.maxAgeMs / 1000).toFixed(2)} s${limit}`],
  ];
  const stages = Object.entries(r.stages ?? {}).filter(([, v]) => v.count > 0);
  if (stages.length) rows.push(['stages p50/p99', stages.map(([k, v]) => `${k} ${v.p50}/${v.p99} ms`).join(', ')]);
  if (r.sendFailed) rows.splice(4, 0, ['not sent', r.sendFailed]);
  if (!r.ownQueue) rows.push(['foreign, released', `${r.foreignReleased} messages this run did not send, made visible again untouched`]);
  out.print(out.table([`load ${r.queue}`, ''], rows));
  if (report) out.note(`report: ${report}`);
}
