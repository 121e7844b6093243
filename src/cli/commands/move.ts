import type { CommandContext } from '../context.js';
import { UsageError } from '../../core/errors.js';
import { moveMessages, type MoveResult } from '../../features/move/move.js';
import { BODY_COLUMN, MESSAGE_DATA } from '../output.js';
import { countRows, printFailures, throwIfIncomplete, transferOptions, underSpinner, type TransferFlags } from '../transfer.js';

export interface MoveFlags extends TransferFlags {
  copy?: boolean;
  toProfile?: string;
}

/** `sqsops move --from A --to B|FILE [--copy]`: one library call, one summary. */
export async function run(flags: MoveFlags, ctx: CommandContext): Promise<void> {
  if (!flags.from) throw new UsageError('--from is required: the queue to take messages from');
  if (!flags.to) throw new UsageError('--to is required: a queue name, a queue URL, or a file ending in .ndjson');
  const { from, to } = flags;
  const shared = transferOptions(flags, ctx, 'move');
  const clients = await ctx.connect();
  const verb = flags.copy ? 'copying' : 'moving';
  const result: MoveResult = await underSpinner(
    ctx,
    flags.dryRun ? `looking at ${from}` : `${verb} messages from ${from} to ${to}`,
    (p, perSecond) =>
      flags.dryRun
        ? `${p.wouldMove} would move, ${p.filteredOut} filtered out`
        : `${p.moved} done, ${p.failed} failed (${perSecond} msg/s)`,
    (onProgress) =>
      moveMessages(clients, {
        from,
        to,
        copy: flags.copy ?? false,
        toProfile: flags.toProfile,
        filter: flags.filter,
        ...shared,
        onProgress,
      }),
  );
  render(result, ctx);
  throwIfIncomplete(result, ctx, {
    verb: result.copy ? 'copied' : 'moved',
    source: result.from,
    stillIn: result.from,
    copiedTo: result.copy ? result.to : undefined,
  });
}

function render(r: MoveResult, ctx: CommandContext): void {
  const { out } = ctx;
  if (out.json) {
    out.printJson(r, undefined, { data: MESSAGE_DATA });
    return;
  }
  if (r.dryRun && r.wouldMove.length) {
    const rows = r.wouldMove.map((m) => [m.messageId, m.groupId ?? '', m.receiveCount, m.bytes, m.body]);
    // Group and body are the messages themselves: shown as they are.
    out.printTable([r.copy ? 'would copy' : 'would move', 'group', 'receives', 'bytes', 'body'], rows, [
      {},
      { data: true },
      {},
      {},
      BODY_COLUMN,
    ]);
  }
  const verb = r.copy ? 'copied' : 'moved';
  const rows: (string | number)[][] = [
    ['from', r.from],
    ['to', `${r.to}${r.destinationKind === 'file' ? ' (file)' : ''}`],
    [r.dryRun ? `would be ${verb}` : verb, r.dryRun ? r.wouldMove.length : r.moved],
    ...countRows(r, { delivered: 'delivered', leftIn: 'source' }),
  ];
  const title = `${r.copy ? 'copy' : 'move'}${r.dryRun ? ' (dry run)' : ''}`;
  out.print(out.table([title, ''], rows));
  printFailures(out, r.failed);
}
