import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandContext } from '../context.js';
import { parseIntFlag } from '../../core/flags.js';
import { queueStats, type QueueStats } from '../../features/stats/stats.js';
import { formatAge } from '../../aws/cloudwatch.js';

export interface StatsFlags {
  watch?: string | boolean;
}

function dlqCell(r: QueueStats): string {
  if (!r.dlq) return '';
  if (r.dlq.visible === null) return `${r.dlq.name}: n/a`;
  return `${r.dlq.name}: ${r.dlq.visible}${r.dlq.inFlight ? ` (+${r.dlq.inFlight} in flight)` : ''}`;
}

/** One refresh as text: a table, or a line saying there is nothing to show. */
function block(rows: QueueStats[], ctx: CommandContext, prefix: string | undefined): string {
  if (rows.length === 0) return prefix ? `no queues starting with "${prefix}"` : 'no queues';
  return ctx.out.table(
    ['queue', 'visible', 'in flight', 'delayed', 'DLQ', 'oldest'],
    // "oldest" is CloudWatch's ApproximateAgeOfOldestMessage: the SQS API cannot tell it without disturbing messages.
    rows.map((r) => [
      `${r.name}${r.isDlq ? ' (DLQ)' : ''}`,
      r.visible,
      r.inFlight,
      r.delayed,
      dlqCell(r),
      formatAge(r.oldestMessageAgeSeconds),
    ]),
  );
}

/** `sqsops stats [PREFIX]`: one table, or one every N seconds with --watch until Ctrl-C. */
export async function run(flags: StatsFlags, ctx: CommandContext, args: string[]): Promise<void> {
  const [prefix] = args;
  const interval =
    flags.watch === undefined || flags.watch === false
      ? 0
      : parseIntFlag('--watch', flags.watch === true ? '5' : flags.watch, { min: 1, max: 3600 });
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
      ctx.out.printLine({ at, prefix, queues: rows });
    } else {
      // On a terminal the block is redrawn in place (the target line above it stays); elsewhere each is appended.
      if (live) live.update(`${at}${live.redraws ? `  (every ${interval} s, Ctrl-C to stop)` : ''}\n${block(rows, ctx, prefix)}`);
      else ctx.out.print(block(rows, ctx, prefix));
    }
    if (!interval || ctx.signal.aborted) return live?.done();
    try {
      await sleep(interval * 1000, undefined, { signal: ctx.signal });
    } catch {
      return live?.done(); // Ctrl-C ends a watch cleanly
    }
  }
}
