/**
 * What the `move` and `redrive-dlq` commands share: their common flags turned into library
 * options, the run under a spinner, the errors an unfinished run ends with, and the parts of
 * the summary both print (the counts and the failures).
 */
import { join } from 'node:path';
import type { CommandContext } from './context.js';
import type { Output } from './output.js';
import { InterruptedError, PartialFailureError, stopSignalOf } from '../core/errors.js';
import { sqsopsHome } from '../local/paths.js';
import { compileFilter } from '../core/redriveFilter.js';
import type { MoveFailure, MoveProgress } from '../features/move/types.js';
import { rate } from './output.js';

/** The flags both commands have (commands/transfer.options.ts declares them). */
export interface TransferFlags {
  from?: string;
  to?: string;
  max?: number;
  filter?: string[];
  dryRun?: boolean;
  rate?: number;
  wait: number;
  visibilityTimeout: number;
  concurrency: number;
}

/** What a finished run reports that the shared parts read. */
export interface TransferOutcome {
  moved: number;
  recovered: number;
  filteredOut: number;
  heldBack: number;
  failed: MoveFailure[];
  left: { visible: number; inFlight: number };
  durationMs: number;
  stoppedBy?: string;
}

/**
 * The library options both commands pass on from their flags as they are, the journal kept
 * in `journal` under the sqsops home. A bad --filter is a usage error here, before anything
 * connects.
 */
export function transferOptions(flags: TransferFlags, ctx: CommandContext, journal: string) {
  compileFilter(flags.filter);
  return {
    max: flags.max,
    dryRun: flags.dryRun ?? false,
    rate: flags.rate,
    waitSeconds: flags.wait,
    visibilityTimeout: flags.visibilityTimeout,
    concurrency: flags.concurrency,
    journalDir: join(sqsopsHome(ctx.env), journal),
    signal: ctx.signal,
    notify: (m: string) => ctx.out.note(m),
  };
}

/**
 * Runs `run` under a spinner that starts as `label`; `progress` words each progress report
 * (with the messages per second so far) for it. The spinner fails with the run.
 */
export async function underSpinner<R>(
  ctx: CommandContext,
  label: string,
  progress: (p: MoveProgress, perSecond: string) => string,
  run: (onProgress: (p: MoveProgress) => void) => Promise<R>,
): Promise<R> {
  const spinner = await ctx.out.spinner(label);
  const started = performance.now();
  let result: R;
  try {
    result = await run((p) => {
      const secs = Math.max((performance.now() - started) / 1000, 0.001);
      spinner.update(progress(p, rate(p.moved / secs)));
    });
  } catch (e: unknown) {
    spinner.fail();
    throw e;
  }
  spinner.stop();
  return result;
}

/**
 * Ends an interrupted run with an AbortedError and one that failed in part or stopped early
 * with a PartialFailureError. `verb`: what was done to each message; `source`: the queue
 * the rest stays in, by name; `stillIn`: the same, as the hint words it; `copiedTo`: the
 * destination, when the run was a copy.
 */
export function throwIfIncomplete(
  r: TransferOutcome,
  ctx: CommandContext,
  { verb, source, stillIn, copiedTo }: { verb: string; source: string; stillIn: string; copiedTo?: string },
): void {
  if (r.stoppedBy === 'interrupted') {
    // Exit 130 after Ctrl-C, 143 after SIGTERM (an abort without a signal counts as Ctrl-C).
    const signal = stopSignalOf(ctx.signal) ?? 'SIGINT';
    // A copy deletes nothing and keeps no journal: a rerun cannot tell what it already copied.
    if (copiedTo !== undefined) {
      throw new InterruptedError(signal, `interrupted: ${r.moved} ${verb}; every message is still in ${source}`, {
        hint: `a rerun copies every message again (${r.moved} are already in ${copiedTo})`,
      });
    }
    throw new InterruptedError(signal, `interrupted: ${r.moved} ${verb}; the rest stays in ${source}`, {
      hint: 'run the same command again to go on',
    });
  }
  if (r.failed.length > 0 || r.stoppedBy) {
    const n = r.failed.length;
    const what = n ? `${n} message${n === 1 ? '' : 's'} could not be ${verb}` : 'the move stopped early';
    throw new PartialFailureError(`${what}${r.stoppedBy ? ` (${r.stoppedBy})` : ''}`, {
      hint: ctx.out.json ? 'see "failed" in the JSON output' : `the table above lists each; they are still in ${stillIn}`,
    });
  }
}

/**
 * The summary rows after the moved count: recovered (`delivered` by a killed run), filtered
 * out, held back, failed, what is left in `leftIn`, and the time.
 */
export function countRows(r: TransferOutcome, { delivered, leftIn }: { delivered: string; leftIn: string }): (string | number)[][] {
  const rows: (string | number)[][] = [];
  if (r.recovered) rows.push(['of which recovered', `${r.recovered} (${delivered} by a run that was killed; deleted, not sent again)`]);
  rows.push(['filtered out', r.filteredOut]);
  if (r.heldBack) rows.push(['held back', `${r.heldBack} (behind an earlier message of their FIFO group)`]);
  rows.push(
    ['failed', r.failed.length],
    [`left in ${leftIn}`, `${r.left.visible}${r.left.inFlight ? ` (+${r.left.inFlight} in flight)` : ''}`],
    ['time', `${(r.durationMs / 1000).toFixed(2)} s`],
  );
  return rows;
}

/** The first 50 failures as a table (a failure without a message id shows as `noId`), and how many more there are. */
export function printFailures(out: Output, failed: MoveFailure[], noId = ''): void {
  if (!failed.length) return;
  const shown = failed.slice(0, 50);
  out.print(
    out.table(
      ['message', 'stage', 'code', 'reason'],
      shown.map((f) => [f.messageId || noId, f.stage, f.code, f.reason]),
    ),
  );
  if (failed.length > shown.length) out.print(`… and ${failed.length - shown.length} more (use --json for all)`);
}
