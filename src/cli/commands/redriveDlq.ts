import type { CommandContext } from '../context.js';
import { UsageError } from '../../core/errors.js';
import { redriveDlq, type RedriveResult } from '../../features/move/redrive.js';
import { attributeLines, BODY_COLUMN, MESSAGE_DATA } from '../output.js';
import { countRows, printFailures, throwIfIncomplete, transferOptions, underSpinner, type TransferFlags } from '../transfer.js';

export interface RedriveFlags extends TransferFlags {
  manual?: boolean;
}

/** `sqsops redrive-dlq --from DLQ [--to QUEUE]`: one library call, one summary. */
export async function run(flags: RedriveFlags, ctx: CommandContext): Promise<void> {
  if (!flags.from) throw new UsageError('--from is required: the DLQ to move messages out of');
  const { from } = flags;
  const shared = transferOptions(flags, ctx, 'redrive');
  const clients = await ctx.connect();
  const result: RedriveResult = await underSpinner(
    ctx,
    flags.dryRun ? `looking at ${from}` : `moving messages out of ${from}`,
    (p, perSecond) =>
      flags.dryRun
        ? `${p.wouldMove} would move, ${p.filteredOut} filtered out`
        : `moved ${p.moved}${p.toMove !== undefined ? ` of ~${p.toMove}` : ''}${p.filteredOut ? `, ${p.filteredOut} filtered out` : ''}${p.failed ? `, ${p.failed} failed` : ''} (${perSecond} msg/s)`,
    (onProgress) =>
      redriveDlq(clients, {
        from,
        to: flags.to,
        ...(flags.filter?.length ? { filter: flags.filter } : {}),
        manual: flags.manual ?? false,
        ...shared,
        onProgress,
      }),
  );
  render(result, ctx);
  throwIfIncomplete(result, ctx, { verb: 'moved', source: result.dlq, stillIn: 'the DLQ' });
}

function render(r: RedriveResult, ctx: CommandContext): void {
  const { out } = ctx;
  if (out.json) {
    out.printJson(r, r.dryRun ? r.wouldMove : undefined, { data: MESSAGE_DATA });
    return;
  }
  if (r.dryRun && r.wouldMove.length) {
    const head = ['would move', 'group', 'receives', 'bytes', 'attributes', 'body'];
    const rows = r.wouldMove.map((m) => {
      return [m.messageId, m.groupId ?? '', m.receiveCount, m.bytes, attributeLines(m.attributes), m.body];
    });
    // Group, attributes and body are the messages themselves: shown as they are.
    out.printTable(head, rows, [{}, { data: true }, {}, {}, { data: true }, BODY_COLUMN]);
  }
  const rows: (string | number)[][] = [
    ['path', r.path === 'native' ? "native (SQS's move task)" : 'manual'],
    ['from', r.dlq],
    ['to', r.destination],
    [r.dryRun ? 'would move' : 'moved', r.dryRun ? r.wouldMove.length : r.moved],
    ...countRows(r, { delivered: 'sent', leftIn: 'DLQ' }),
  ];
  out.print(out.table([r.dryRun ? 'redrive (dry run)' : 'redrive', ''], rows));
  printFailures(out, r.failed, '(task)');
  if (r.left.inFlight && !r.dryRun)
    out.note(
      `${r.left.inFlight} messages of ${r.dlq} are in flight (another consumer, or a run that was killed): they become visible again after their visibility timeout; run again then`,
    );
}
