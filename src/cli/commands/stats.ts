import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandContext } from '../context.js';
import { parseIntFlag } from '../../core/flags.js';
import { DEFAULTS } from '../../config.js';
import { queueStats, type QueueStats } from '../../features/stats/stats.js';
import { formatAge } from '../../aws/cloudwatch.js';
import { UsageError } from '../../core/errors.js';
import { ageVerdict, backlogPerWorker, type Targets } from '../../features/stats/targets.js';

export interface StatsFlags {
  watch?: string | boolean;
  interval?: string;
  workers?: string;
  targetAge?: string;
}

function dlqCell(r: QueueStats): string {
  if (!r.dlq) return '';
  if (r.dlq.visible === null) return `${r.dlq.name}: n/a`;
  return `${r.dlq.name}: ${r.dlq.visible}${r.dlq.inFlight ? ` (+${r.dlq.inFlight} in flight)` : ''}`;
}

/** The oldest age, and against --target-age whether it is over. */
function oldestCell(r: QueueStats, targets: Targets): string {
  const age = formatAge(r.oldestMessageAgeSeconds);
  if (targets.targetAgeSeconds === undefined) return age;
  const verdict = ageVerdict(r.oldestMessageAgeSeconds, targets.targetAgeSeconds);
  return verdict === 'over' ? `${age} OVER` : verdict === 'within' ? `${age} ok` : age;
}

/** One refresh as text: a table, or a line saying there is nothing to show. */
function block(rows: QueueStats[], ctx: CommandContext, prefix: string | undefined, targets: Targets): string {
  if (rows.length === 0) return prefix ? `no queues starting with "${prefix}"` : 'no queues';
  const { workers, targetAgeSeconds } = targets;
  const perWorker = workers === undefined ? [] : [`per worker (${workers})`];
  const oldest = targetAgeSeconds === undefined ? 'oldest' : `oldest (target ${formatAge(targetAgeSeconds)})`;
  return ctx.out.table(
    ['queue', 'visible', 'in flight', 'delayed', ...perWorker, 'DLQ', oldest],
    // "oldest" is CloudWatch's ApproximateAgeOfOldestMessage: the SQS API cannot tell it without disturbing messages.
    rows.map((r) => [
      `${r.name}${r.isDlq ? ' (DLQ)' : ''}`,
      r.visible,
      r.inFlight,
      r.delayed,
      ...(workers === undefined ? [] : [backlogPerWorker(r, workers)]),
      dlqCell(r),
      oldestCell(r, targets),
    ]),
  );
}

/** A row with the verdicts --workers and --target-age asked for, for --json. */
function judged(r: QueueStats, targets: Targets): QueueStats & { backlogPerWorker?: number; oldestVsTarget?: string } {
  return {
    ...r,
    ...(targets.workers === undefined ? {} : { backlogPerWorker: backlogPerWorker(r, targets.workers) }),
    ...(targets.targetAgeSeconds === undefined ? {} : { oldestVsTarget: ageVerdict(r.oldestMessageAgeSeconds, targets.targetAgeSeconds) }),
  };
}

/** The refresh interval: --interval, else the seconds given to --watch, else the default; 0 without --watch. */
function refreshSeconds(flags: StatsFlags): number {
  const watching = flags.watch !== undefined && flags.watch !== false;
  if (!watching) {
    if (flags.interval !== undefined) throw new UsageError('--interval goes with --watch', { hint: 'sqsops stats --watch --interval 2' });
    return 0;
  }
  if (flags.interval !== undefined) return parseIntFlag('--interval', flags.interval, { min: 1, max: 3600 });
  return parseIntFlag('--watch', flags.watch === true ? String(DEFAULTS.stats.interval) : (flags.watch as string), { min: 1, max: 3600 });
}

function targetsOf(flags: StatsFlags): Targets {
  return {
    ...(flags.workers === undefined ? {} : { workers: parseIntFlag('--workers', flags.workers, { min: 1, max: 100_000 }) }),
    ...(flags.targetAge === undefined
      ? {}
      : { targetAgeSeconds: parseIntFlag('--target-age', flags.targetAge, { min: 1, max: 1_209_600 }) }),
  };
}

/** `sqsops stats [PREFIX]`: one table, or one every N seconds with --watch until Ctrl-C. */
export async function run(flags: StatsFlags, ctx: CommandContext, args: string[]): Promise<void> {
  const [prefix] = args;
  const interval = refreshSeconds(flags);
  const targets = targetsOf(flags);
  const clients = await ctx.connect();
  // On a terminal a watch redraws in place; anywhere else it appends one block per interval (a log).
  const live = interval > 0 ? await ctx.out.live() : undefined;
  // A watch would repeat the same note every refresh: each is said once.
  const said = new Set<string>();
  const notify = (m: string) => {
    if (!said.has(m)) ctx.out.note(m);
    said.add(m);
  };
  for (;;) {
    let rows: QueueStats[];
    try {
      rows = await queueStats(clients, { prefix, signal: ctx.signal, notify });
    } catch (e: unknown) {
      if (interval && ctx.signal.aborted) return live?.done(); // Ctrl-C during a refresh ends a watch cleanly
      throw e;
    }
    const at = new Date().toISOString();
    if (ctx.out.json) {
      ctx.out.printLine({ at, prefix, ...targets, queues: rows.map((r) => judged(r, targets)) });
    } else {
      // On a terminal the block is redrawn in place (the target line above it stays); elsewhere each is appended.
      if (live) live.update(`${at}${live.redraws ? `  (every ${interval} s, Ctrl-C to stop)` : ''}\n${block(rows, ctx, prefix, targets)}`);
      else ctx.out.print(block(rows, ctx, prefix, targets));
    }
    if (!interval || ctx.signal.aborted) return live?.done();
    try {
      await sleep(interval * 1000, undefined, { signal: ctx.signal });
    } catch {
      return live?.done(); // Ctrl-C ends a watch cleanly
    }
  }
}
