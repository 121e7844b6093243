import { join } from 'node:path';
import type { CommandContext } from '../context.js';
import { AbortedError, PartialFailureError, UsageError } from '../../core/errors.js';
import { sqsopsHome } from '../../local/paths.js';
import { compileFilter } from '../../core/redriveFilter.js';
import { moveMessages, type MoveResult } from '../../features/move/move.js';
import { preview, rate } from '../output.js';

export interface MoveFlags {
  from?: string;
  to?: string;
  copy?: boolean;
  toProfile?: string;
  max?: number;
  filter?: string[];
  dryRun?: boolean;
  rate?: number;
  wait: number;
  visibilityTimeout: number;
  concurrency: number;
}

/** `sqsops move --from A --to B|FILE [--copy]`: one library call, one summary. */
export async function run(flags: MoveFlags, ctx: CommandContext): Promise<void> {
  if (!flags.from) throw new UsageError('--from is required: the queue to take messages from');
  if (!flags.to) throw new UsageError('--to is required: a queue name, a queue URL, or a file ending in .ndjson');
  const max = flags.max;
  const perSecond = flags.rate;
  const waitSeconds = flags.wait;
  const visibilityTimeout = flags.visibilityTimeout;
  const concurrency = flags.concurrency;
  compileFilter(flags.filter); // a bad expression is a usage error before anything connects
  const clients = await ctx.connect();
  const verb = flags.copy ? 'copying' : 'moving';
  const spinner = await ctx.out.spinner(flags.dryRun ? `looking at ${flags.from}` : `${verb} messages from ${flags.from} to ${flags.to}`);
  const started = performance.now();
  let result: MoveResult;
  try {
    result = await moveMessages(clients, {
      from: flags.from,
      to: flags.to,
      copy: flags.copy ?? false,
      toProfile: flags.toProfile,
      max,
      filter: flags.filter,
      dryRun: flags.dryRun ?? false,
      rate: perSecond,
      waitSeconds,
      visibilityTimeout,
      concurrency,
      journalDir: join(sqsopsHome(ctx.env), 'move'),
      signal: ctx.signal,
      notify: (m) => ctx.out.note(m),
      onProgress: (p) => {
        const secs = Math.max((performance.now() - started) / 1000, 0.001);
        const done = `${p.moved} done, ${p.failed} failed (${rate(p.moved / secs)} msg/s)`;
        spinner.update(flags.dryRun ? `${p.wouldMove} would move, ${p.filteredOut} filtered out` : done);
      },
    });
  } catch (e: unknown) {
    spinner.fail();
    throw e;
  }
  spinner.stop();
  render(result, ctx);
  if (result.stoppedBy === 'interrupted') {
    const done = `${result.moved} ${result.copy ? 'copied' : 'moved'}`;
    throw new AbortedError(`interrupted: ${done}; the rest stays in ${result.from}`, { hint: 'run the same command again to go on' });
  }
  if (result.failed.length > 0 || result.stoppedBy) {
    const verb = result.copy ? 'copied' : 'moved';
    const what = result.failed.length ? `${result.failed.length} messages could not be ${verb}` : 'the move stopped early';
    throw new PartialFailureError(`${what}${result.stoppedBy ? ` (${result.stoppedBy})` : ''}`, {
      hint: ctx.out.json ? 'see "failed" in the JSON output' : `the table above lists each; they are still in ${result.from}`,
    });
  }
}

function render(r: MoveResult, ctx: CommandContext): void {
  const { out } = ctx;
  if (out.json) {
    out.printJson(r);
    return;
  }
  if (r.dryRun && r.wouldMove.length) {
    const rows = r.wouldMove.map((m) => [m.messageId, m.groupId ?? '', m.receiveCount, m.bytes, preview(m.body, 50)]);
    out.print(out.table([r.copy ? 'would copy' : 'would move', 'group', 'receives', 'bytes', 'body'], rows));
  }
  const verb = r.copy ? 'copied' : 'moved';
  const rows: (string | number)[][] = [
    ['from', r.from],
    ['to', `${r.to}${r.destinationKind === 'file' ? ' (file)' : ''}`],
    [r.dryRun ? `would be ${verb}` : verb, r.dryRun ? r.wouldMove.length : r.moved],
  ];
  if (r.recovered) rows.push(['of which recovered', `${r.recovered} (delivered by a run that was killed; deleted, not sent again)`]);
  rows.push(['filtered out', r.filteredOut]);
  if (r.heldBack) rows.push(['held back', `${r.heldBack} (behind an earlier message of their FIFO group)`]);
  rows.push(
    ['failed', r.failed.length],
    ['left in source', `${r.left.visible}${r.left.inFlight ? ` (+${r.left.inFlight} in flight)` : ''}`],
  );
  rows.push(['time', `${(r.durationMs / 1000).toFixed(2)} s`]);
  const title = `${r.copy ? 'copy' : 'move'}${r.dryRun ? ' (dry run)' : ''}`;
  out.print(out.table([title, ''], rows));
  if (r.failed.length) {
    const shown = r.failed.slice(0, 50);
    out.print(
      out.table(
        ['message', 'stage', 'code', 'reason'],
        shown.map((f) => [f.messageId, f.stage, f.code, f.reason]),
      ),
    );
    if (r.failed.length > shown.length) out.print(`… and ${r.failed.length - shown.length} more (use --json for all)`);
  }
}
