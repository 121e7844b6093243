/**
 * `move`: moves (or with `copy`, copies) messages from any queue to any other queue,
 * in another region or account too, or exports them to a file. It is redrive-dlq's
 * manual path without the DLQ: the same filters, max, dry run, rate and journal, and the
 * same rule that nothing leaves the source before the destination has it, even across a
 * kill -9. A copy deletes nothing: each copied message is made visible again at the end
 * (its receive count has risen by one: receiving is the only way to read a queue).
 */
import type { AwsClients } from '../../aws/clients.js';
import type { QueueRef } from '../../aws/queue.js';
import { UsageError } from '../../core/errors.js';
import { compileFilter } from '../../core/redriveFilter.js';
import { openMoveJournal, type MoveJournal } from './moveJournal.js';
import { checkManualOptions, fifoNotes, manualMove, manualSettings, queueDepth, releaseNote } from './manualMove.js';
import type { ManualMoveOptions, ManualMoveParams, ManualOutcome } from './manualMove.js';
import { forwardMessages } from '../../pipeline/forward.js';
import { destinationClients, isFileDestination } from './destination.js';
import { openExportFile, type ExportFile } from '../../pipeline/exportFile.js';
import { openQueue, type Notify, sqsQueues } from '../../pipeline/resources.js';

export interface MoveOptions extends ManualMoveOptions {
  /** The source queue: name or URL. */
  from: string;
  /** A queue name, a queue URL (any region), or a file path ending in .ndjson/.jsonl (or containing a slash). */
  to: string;
  /** Leave the source in place; each copied message is made visible again. @default false */
  copy?: boolean;
  /** The AWS profile of the destination's account. @default the source's */
  toProfile?: string;
  /** `body.<path>=<value>` / `attr.<name>=<value>` (`!=` negates); all must hold. */
  filter?: string[];
  /** @default false */
  dryRun?: boolean;
  /** Folder of the move journal (crash safety for standard destinations and files). */
  journalDir?: string;
  signal?: AbortSignal;
  notify?: Notify;
}

export interface MoveResult extends Omit<ManualOutcome, 'releaseFailed'> {
  from: string;
  to: string;
  destinationKind: 'queue' | 'file';
  copy: boolean;
  dryRun: boolean;
  /** Delivered to the destination (and, unless a copy, deleted from the source). */
  moved: number;
  /** The source's approximate depth after the run. */
  left: { visible: number; inFlight: number };
  notes: string[];
  durationMs: number;
}

export async function moveMessages(clients: AwsClients, options: MoveOptions): Promise<MoveResult> {
  const started = performance.now();
  checkManualOptions(options);
  const filter = compileFilter(options.filter);
  const copy = options.copy ?? false;
  const dryRun = options.dryRun ?? false;
  if (!options.to.trim())
    throw new UsageError('--to needs a queue or a file, not an empty value', { hint: 'e.g. --to orders-replay or --to backup.ndjson' });
  const toFile = isFileDestination(options.to);
  if (toFile && options.toProfile) throw new UsageError('--to-profile applies to a destination queue, not to a file');
  const notes: string[] = [];
  const note = (m: string) => {
    notes.push(m);
    options.notify?.(m);
  };
  const source = await openQueue(clients, options.from, { signal: options.signal });
  const queues = await sqsQueues(clients, options.signal);
  const steady = await sqsQueues(clients);

  const destClients = toFile ? clients : destinationClients(clients, options.to, options.toProfile);
  let file: ExportFile | undefined;
  let journal: MoveJournal | undefined;
  try {
    let deliver: ManualMoveParams['deliver'];
    let destinationName: string;
    let label = options.to;
    if (toFile) {
      destinationName = options.to;
      file = dryRun ? undefined : await openExportFile(options.to);
      deliver = (batch, onSent) => file!.deliver(batch, onSent);
    } else {
      const destination: QueueRef = await openQueue(destClients, options.to, { signal: options.signal });
      if (destination.arn === source.arn || destination.url === source.url) {
        throw new UsageError('--to names the source queue itself', { hint: 'pass another queue, or a file' });
      }
      const destSteady = await sqsQueues(destClients);
      destinationName = destination.arn || destination.url;
      label = destination.name;
      deliver = (batch, onSent) => forwardMessages(destSteady, destination, batch, onSent);
      fifoNotes(source, destination, note);
    }
    if (copy && source.fifo) {
      note(
        `${source.name} is FIFO: SQS hands out no more of a group while part of it is in flight, so a copy takes at most 10 messages per group`,
      );
    }
    // One journal per source and destination; a copy deletes nothing, so it needs none.
    if (options.journalDir && !dryRun && !copy)
      journal = await openMoveJournal(options.journalDir, `${source.arn}__to__${destinationName}`);
    const outcome = await manualMove({
      queues,
      steady,
      dlq: source,
      destinationName,
      deliver,
      copy,
      filter,
      dryRun,
      journal,
      ...manualSettings(options),
    });
    releaseNote(outcome.releaseFailed, source, options, note);
    const { releaseFailed: _r, ...counts } = outcome;
    return {
      from: source.name,
      to: label,
      destinationKind: toFile ? 'file' : 'queue',
      copy,
      dryRun,
      ...counts,
      left: await queueDepth(steady, source.url),
      notes,
      durationMs: performance.now() - started,
    };
  } finally {
    journal?.close();
    await file?.close();
    if (destClients !== clients) destClients.destroy();
  }
}
