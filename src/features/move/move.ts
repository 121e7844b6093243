/**
 * `move`: moves (or with `copy`, copies) messages from any queue to any other queue,
 * in another region or account too, or exports them to a file. It is redrive-dlq's
 * manual path without the DLQ: the same filters, max, dry run, rate and journal, and the
 * same rule that nothing leaves the source before the destination has it, even across a
 * kill -9. A copy deletes nothing: each copied message is made visible again at the end
 * (its receive count has risen by one: receiving is the only way to read a queue).
 */
import type { AwsClients } from '../../aws/clients.js';
import type { QueueRef, SqsQueues } from '../../aws/queue.js';
import { UsageError } from '../../core/errors.js';
import { compileFilter, type MessageFilter } from '../../core/redriveFilter.js';
import { openMoveJournal, type MoveJournal } from './moveJournal.js';
import { manualMove, type ManualMoveParams, type ManualOutcome } from './manualMove.js';
import { checkManualOptions, fifoNotes, type ManualMoveOptions, manualSettings, queueDepth, releaseNote } from './moveOptions.js';
import type { MoveWords } from './types.js';
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

/** How move names, to the user, where an unmoved message is and its journal. */
export const MOVE_WORDS: MoveWords = { stillThere: 'still on the source queue', journal: 'move journal' };

/** Where the messages go: how to deliver them, what the journal and the summary call it. */
interface Delivery {
  deliver: ManualMoveParams['deliver'];
  /** For the journal: the destination's ARN (or URL), or the file's path. */
  destinationName: string;
  /** For the summary. */
  label: string;
}

export async function moveMessages(clients: AwsClients, options: MoveOptions): Promise<MoveResult> {
  const started = performance.now();
  const { toFile, filter } = checkMove(options);
  const notes: string[] = [];
  const note = (m: string) => {
    notes.push(m);
    options.notify?.(m);
  };
  const source = await openQueue(clients, options.from, { signal: options.signal });
  const steady = await sqsQueues(clients);
  const destClients = toFile ? clients : destinationClients(clients, options.to, options.toProfile);
  let file: ExportFile | undefined;
  let journal: MoveJournal | undefined;
  try {
    const dryRun = options.dryRun ?? false;
    if (toFile) file = dryRun ? undefined : await openExportFile(options.to);
    const delivery = toFile ? toTheFile(options.to, file) : await toQueue(destClients, source, options, note);
    journal = await openJournal(source, delivery, options, note);
    const outcome = await manualMove({
      queues: await sqsQueues(clients, options.signal),
      steady,
      source,
      words: MOVE_WORDS,
      ...delivery,
      copy: options.copy ?? false,
      filter,
      dryRun,
      journal,
      ...manualSettings(options),
    });
    releaseNote(outcome.releaseFailed, source, options, note);
    const { releaseFailed: _r, ...counts } = outcome;
    const head = {
      from: source.name,
      to: delivery.label,
      destinationKind: toFile ? 'file' : 'queue',
      copy: options.copy ?? false,
      dryRun,
    } as const;
    const left = await queueDepth(steady, source.url);
    return { ...head, ...counts, left, notes, durationMs: performance.now() - started };
  } finally {
    journal?.close();
    await file?.close();
    if (destClients !== clients) destClients.destroy();
  }
}

/** Checks the options before anything connects: whether the destination is a file, and the filter. */
function checkMove(options: MoveOptions): { toFile: boolean; filter: MessageFilter | undefined } {
  checkManualOptions(options);
  const filter = compileFilter(options.filter);
  if (!options.to.trim())
    throw new UsageError('--to needs a queue or a file, not an empty value', { hint: 'e.g. --to orders-replay or --to backup.ndjson' });
  const toFile = isFileDestination(options.to);
  if (toFile && options.toProfile) throw new UsageError('--to-profile applies to a destination queue, not to a file');
  return { toFile, filter };
}

/** Delivery to an export file (none on a dry run, which delivers nothing). */
function toTheFile(path: string, file: ExportFile | undefined): Delivery {
  return { destinationName: path, label: path, deliver: (batch, onSent) => file!.deliver(batch, onSent) };
}

/** Delivery to a queue, on this target or another region or account. */
async function toQueue(destClients: AwsClients, source: QueueRef, options: MoveOptions, note: (m: string) => void): Promise<Delivery> {
  const destination: QueueRef = await openQueue(destClients, options.to, { signal: options.signal });
  if (destination.arn === source.arn || destination.url === source.url) {
    throw new UsageError('--to names the source queue itself', { hint: 'pass another queue, or a file' });
  }
  const destSteady: SqsQueues = await sqsQueues(destClients);
  fifoNotes(source, destination, note);
  return {
    destinationName: destination.arn || destination.url,
    label: destination.name,
    deliver: (batch, onSent) => forwardMessages(destSteady, destination, batch, onSent),
  };
}

/** The journal of this source and destination; none for a dry run or a copy (a copy deletes nothing). */
async function openJournal(
  source: QueueRef,
  { destinationName }: Delivery,
  options: MoveOptions,
  note: (m: string) => void,
): Promise<MoveJournal | undefined> {
  if (options.copy && source.fifo) {
    note(
      `${source.name} is FIFO: SQS hands out no more of a group while part of it is in flight, so a copy takes at most 10 messages per group`,
    );
  }
  if (!options.journalDir || options.dryRun || options.copy) return undefined;
  return openMoveJournal(options.journalDir, `${source.arn}__to__${destinationName}`);
}
