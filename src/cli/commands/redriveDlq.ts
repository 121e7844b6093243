import { join } from 'node:path';
import type { CommandContext } from '../context.js';
import { AbortedError, PartialFailureError, UsageError } from '../../core/errors.js';
import { sqsopsHome } from '../../local/paths.js';
import { compileFilter } from '../../core/redriveFilter.js';
import { redriveDlq, type RedriveResult } from '../../features/move/redrive.js';
import { attributeLines, preview, rate } from '../output.js';

export interface RedriveFlags {
  from?: string;
  to?: string;
  max?: number;
  filter?: string[];
  dryRun?: boolean;
  rate?: number;
  manual?: boolean;
  wait: number;
  visibilityTimeout: number;
  concurrency: number;
}

/** `sqsops redrive-dlq --from DLQ [--to QUEUE]`: one library call, one summary. */
export async function run(flags: RedriveFlags, ctx: CommandContext): Promise<void> {
  if (!flags.from) throw new UsageError('--from is required: the DLQ to move messages out of');
  const max = flags.max;
  const perSecond = flags.rate;
  const waitSeconds = flags.wait;
  const visibilityTimeout = flags.visibilityTimeout;
  const concurrency = flags.concurrency;
  compileFilter(flags.filter); // a bad expression is a usage error before anything connects
  const clients = await ctx.connect();
  const spinner = await ctx.out.spinner(flags.dryRun ? `looking at ${flags.from}` : `moving messages out of ${flags.from}`);
  const started = performance.now();
  let result: RedriveResult;
  try {
    result = await redriveDlq(clients, {
      from: flags.from,
      to: flags.to,
      max,
      ...(flags.filter?.length ? { filter: flags.filter } : {}),
      dryRun: flags.dryRun ?? false,
      rate: perSecond,
      manual: flags.manual ?? false,
      waitSeconds,
      visibilityTimeout,
      concurrency,
      journalDir: join(sqsopsHome(ctx.env), 'redrive'),
      signal: ctx.signal,
      notify: (m) => ctx.out.note(m),
      onProgress: (p) => {
        const secs = Math.max((performance.now() - started) / 1000, 0.001);
        spinner.update(
          flags.dryRun
            ? `${p.wouldMove} would move, ${p.filteredOut} filtered out`
            : `moved ${p.moved}${p.toMove !== undefined ? ` of ~${p.toMove}` : ''}${p.filteredOut ? `, ${p.filteredOut} filtered out` : ''}${p.failed ? `, ${p.failed} failed` : ''} (${rate(p.moved / secs)} msg/s)`,
        );
      },
    });
  } catch (e: unknown) {
    spinner.fail();
    throw e;
  }
  spinner.stop();
  render(result, ctx);
  if (result.stoppedBy === 'interrupted') {
    throw new AbortedError(`interrupted: ${result.moved} moved; the rest stays in ${result.dlq}`, {
      hint: 'run the same command again to go on',
    });
  }
  if (result.failed.length > 0 || result.stoppedBy) {
    const what = result.failed.length ? `${result.failed.length} messages could not be moved` : 'the move stopped early';
    throw new PartialFailureError(`${what}${result.stoppedBy ? ` (${result.stoppedBy})` : ''}`, {
      hint: ctx.out.json ? 'see "failed" in the JSON output' : 'the table above lists each; they are still in the DLQ',
    });
  }
}

function render(r: RedriveResult, ctx: CommandContext): void {
  const { out } = ctx;
  if (out.json) {
    out.printJson(r, r.dryRun ? r.wouldMove : undefined);
    return;
  }
  if (r.dryRun && r.wouldMove.length) {
    const head = ['would move', 'group', 'receives', 'bytes', 'attributes', 'body'];
    const rows = r.wouldMove.map((m) => {
      return [m.messageId, m.groupId ?? '', m.receiveCount, m.bytes, attributeLines(m.attributes), preview(m.body, 50)];
    });
    out.print(out.table(head, rows, [{}, {}, {}, {}, {}, { truncate: true }]));
  }
  const rows: (string | number)[][] = [
    ['path', r.path === 'native' ? "native (SQS's move task)" : 'manual'],
    ['from', r.dlq],
    ['to', r.destination],
    [r.dryRun ? 'would move' : 'moved', r.dryRun ? r.wouldMove.length : r.moved],
  ];
  if (r.recovered) rows.push(['of which recovered', `${r.recovered} (sent by a run that was killed; deleted, not sent again)`]);
  rows.push(['filtered out', r.filteredOut]);
  if (r.heldBack) rows.push(['held back', `${r.heldBack} (behind an earlier message of their FIFO group)`]);
  rows.push(
    ['failed', r.failed.length],
    ['left in DLQ', `${r.left.visible}${r.left.inFlight ? ` (+${r.left.inFlight} in flight)` : ''}`],
    ['time', `${(r.durationMs / 1000).toFixed(2)} s`],
  );
  out.print(out.table([r.dryRun ? 'redrive (dry run)' : 'redrive', ''], rows));
  if (r.failed.length) {
    const shown = r.failed.slice(0, 50);
    out.print(
      out.table(
        ['message', 'stage', 'code', 'reason'],
        shown.map((f) => [f.messageId || '(task)', f.stage, f.code, f.reason]),
      ),
    );
    if (r.failed.length > shown.length) out.print(`… and ${r.failed.length - shown.length} more (use --json for all)`);
  }
  if (r.left.inFlight && !r.dryRun)
    out.note(
      `${r.left.inFlight} messages of ${r.dlq} are in flight (another consumer, or a run that was killed): they become visible again after their visibility timeout; run again then`,
    );
}
