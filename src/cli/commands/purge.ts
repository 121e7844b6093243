import type { CommandContext } from '../context.js';
import { UsageError } from '../../core/errors.js';
import { purgeQueue } from '../../features/purge/purge.js';

export interface PurgeFlags {
  queue?: string;
}

/** `sqsops purge QUEUE`: asks first on real AWS, then one PurgeQueue and what it removed. */
export async function run(flags: PurgeFlags, ctx: CommandContext, args: string[] = []): Promise<void> {
  const queue = args[0] ?? flags.queue;
  if (!queue) throw new UsageError('purge needs a queue: sqsops purge QUEUE', { hint: 'name the queue (or its URL) to empty' });
  const clients = await ctx.connect();
  if (clients.target.kind === 'aws') {
    await ctx.confirm(
      `Delete every message in ${queue} on AWS? This cannot be undone.`,
      `refusing to purge ${queue} on real AWS without confirmation`,
    );
  }
  const result = await purgeQueue(clients, { queue, signal: ctx.signal });
  const { out } = ctx;
  if (out.json) {
    out.printJson(result);
    return;
  }
  const b = result.before;
  out.print(
    out.table(
      ['purge', ''],
      [
        ['queue', result.queue],
        ['removed', `${result.removed} (${b.visible} visible, ${b.inFlight} in flight, ${b.delayed} delayed)`],
        ['left', result.after.visible + result.after.inFlight + result.after.delayed],
      ],
    ),
  );
  if (clients.target.kind === 'aws') {
    out.note('SQS may take up to 60 seconds to finish a purge, and allows one purge per queue per 60 seconds');
  }
}
