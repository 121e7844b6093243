import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandContext } from '../context.js';
import { parseIntFlag } from '../../core/flags.js';
import { queueStats, type QueueStats } from '../../ops/stats.js';

export interface StatsFlags {
  watch?: string | boolean;
}

function render(rows: QueueStats[], ctx: CommandContext): void {
  const { out } = ctx;
  if (out.json) {
    out.print(JSON.stringify({ at: new Date().toISOString(), queues: rows.map((r) => ({ ...r, oldestMessageAge: null })) }));
    return;
  }
  if (rows.length === 0) {
    out.note('no queues');
    return;
  }
  out.print(
    out.table(
      ['queue', 'visible', 'in flight', 'delayed', 'DLQ', 'oldest'],
      rows.map((r) => [`${r.name}${r.isDlq ? ' (DLQ)' : ''}`, r.visible, r.inFlight, r.delayed, r.dlq ? `${r.dlq.visible} in ${r.dlq.name}` : '', 'n/a']),
    ),
  );
}

/** `sqsops stats [PREFIX]`: one table, or one every N seconds with --watch. */
export async function run(flags: StatsFlags, ctx: CommandContext, args: string[]): Promise<void> {
  const [prefix] = args;
  const interval = flags.watch === undefined || flags.watch === false ? 0 : parseIntFlag('--watch', flags.watch === true ? '5' : flags.watch, { min: 1, max: 3600 });
  const clients = await ctx.connect();
  for (;;) {
    const rows = await queueStats(clients, { ...(prefix ? { prefix } : {}), signal: ctx.signal });
    if (interval && process.stdout.isTTY && !ctx.out.json) process.stdout.write('\x1b[2J\x1b[H');
    render(rows, ctx);
    if (!interval || ctx.signal.aborted) return;
    try {
      await sleep(interval * 1000, undefined, { signal: ctx.signal });
    } catch {
      return; // Ctrl-C ends a watch cleanly
    }
  }
}
