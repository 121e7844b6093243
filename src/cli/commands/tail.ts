import type { CommandContext } from '../context.js';
import { AbortedError } from '../../core/errors.js';
import { tailQueue, type TailedMessage, type TailResult } from '../../features/tail/tail.js';

export interface TailFlags {
  filter?: string[];
  count?: number;
  duration?: number;
  interval: number;
  force?: boolean;
}

/** `sqsops tail [QUEUE]`: each new message as it arrives, released at once; a count of what was seen at the end. */
export async function run(flags: TailFlags, ctx: CommandContext, args: string[] = []): Promise<void> {
  const clients = await ctx.connect();
  const { out } = ctx;
  const queue = args[0] ?? ctx.names.queue;
  const result = await tailQueue(clients, {
    queue,
    ...(flags.filter ? { filters: flags.filter } : {}),
    ...(flags.count !== undefined ? { count: flags.count } : {}),
    ...(flags.duration !== undefined ? { durationSeconds: flags.duration } : {}),
    intervalSeconds: flags.interval,
    force: flags.force ?? false,
    signal: ctx.signal,
    onMessage: (m) => (out.json ? out.print(JSON.stringify(m)) : out.print(block(m, out.width))),
  });
  out.note(summary(result));
  // Ctrl-C ends a tail as it ends `tail -f`, but the exit code still says so; a reader that went away is a normal end.
  if (result.stoppedBy === 'signal' && !/output pipe was closed/.test(String((ctx.signal.reason as Error | undefined)?.message))) {
    throw new AbortedError('interrupted', { hint: 'every message it received was made visible again' });
  }
}

/** One message: a header line with what identifies it, its attributes, then its body whole. */
function block(m: TailedMessage, _width: number): string {
  const head = [m.sentAt ?? '', m.messageId, `recv ${m.receiveCount}`, m.groupId ? `group ${m.groupId}` : ''].filter(Boolean).join('  ');
  const attrs = Object.entries(m.attributes).map(([k, v]) => `  ${k}=${v}`);
  return [head, ...attrs, `  ${m.body}`, ''].join('\n');
}

function summary(r: TailResult): string {
  const filtered = r.filteredOut ? `, ${r.filteredOut} filtered out` : '';
  const held = r.received - r.released;
  const back = held ? `; ${held} not released: visible again within 10 s` : '; every one made visible again';
  return `tail ${r.queue}: ${r.seen} messages seen (${r.shown} shown${filtered}) in ${r.polls} polls, ${r.received} receives${back}`;
}
