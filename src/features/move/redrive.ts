/**
 * `redrive-dlq`: moves messages out of a dead-letter queue, back to the queue that
 * failed them or to another one. SQS's own move task does it when nothing asks for
 * more (no filter, no --max, no dry run) and the endpoint supports it; otherwise the
 * manual move (receive, send, record, delete) does, which never deletes before the
 * destination has the message and never sends one twice, even across a kill -9.
 */
import type { AwsClients } from '../../aws/clients.js';
import { type SqsQueues, queueNameFromUrl, type QueueRef } from '../../aws/queue.js';
import { QueueNotFoundError, UsageError } from '../../core/errors.js';
import { compileFilter, type MessageFilter } from '../../core/redriveFilter.js';
import { openMoveJournal } from './moveJournal.js';
import { manualMove, type ManualOutcome } from './manualMove.js';
import { checkManualOptions, fifoNotes, type ManualMoveOptions, manualSettings, queueDepth, releaseNote } from './moveOptions.js';
import { nativeMove } from './redriveNative.js';
import { forwardMessages } from '../../pipeline/forward.js';
import { openQueue, type Notify, sqsQueues } from '../../pipeline/resources.js';
import type { MoveFailure, MoveProgress, MoveWords } from './types.js';

export type { MoveFailure, MovePreview, MoveProgress } from './types.js';

export interface RedriveOptions extends ManualMoveOptions {
  /** The DLQ: name or URL. */
  from: string;
  /** Where the messages go. @default the queue whose redrive policy names the DLQ (native: each message's own source) */
  to?: string;
  /** Move at most this many (forces the manual move). */
  max?: number;
  /** `body.<path>=<value>` / `attr.<name>=<value>` (`!=` negates); all must hold (forces the manual move). */
  filter?: string[];
  /** Show what would move; move nothing; leave everything visible. @default false */
  dryRun?: boolean;
  /** At most this many messages per second. */
  rate?: number;
  /** Always move by hand, even where SQS's move task could. @default false */
  manual?: boolean;
  /** Manual move: receive-send-delete loops at once (FIFO order holds: SQS gives no two loops one group). @default 8 */
  concurrency?: number;
  /** Manual move: long-poll wait; the run ends when one whole wait brings nothing new. @default 20 */
  waitSeconds?: number;
  /** Manual move: how long a received message stays hidden (and how soon it returns after a crash). @default 30 */
  visibilityTimeout?: number;
  /** Folder of the redrive journal; without it, a kill between send and delete can duplicate on a standard destination. */
  journalDir?: string;
  /** Native move: how often the task is polled. @default 2000 */
  pollMs?: number;
  signal?: AbortSignal;
  notify?: Notify;
  onProgress?: (p: MoveProgress) => void;
}

export interface RedriveResult extends Omit<ManualOutcome, 'releaseFailed'> {
  dlq: string;
  /** The destination queue, or "original sources" for a native move without `to`. */
  destination: string;
  path: 'native' | 'manual';
  dryRun: boolean;
  /** The DLQ's approximate depth after the run. */
  left: { visible: number; inFlight: number };
  notes: string[];
  durationMs: number;
  stoppedBy?: string;
}

/** The queues whose redrive policy names this DLQ. */
async function sourceQueues(queues: SqsQueues, dlq: QueueRef): Promise<string[]> {
  const listed = await queues.deadLetterSourceQueues(dlq.url);
  if (listed.supported) return listed.value;
  // Endpoints without ListDeadLetterSourceQueues (fauxqs): read every queue's redrive policy.
  const urls = await queues.list();
  const found: string[] = [];
  for (let i = 0; i < urls.length; i += 8) {
    const refs = await Promise.all(
      urls
        .slice(i, i + 8)
        .map((u) => queues.describe(u).catch((e: unknown) => (e instanceof QueueNotFoundError ? undefined : Promise.reject(e)))),
    );
    for (const r of refs) if (r?.deadLetterTargetArn === dlq.arn) found.push(r.url);
  }
  return found;
}

/** How redrive-dlq names, to the user, where an unmoved message is and its journal. */
export const REDRIVE_WORDS: MoveWords = { stillThere: 'still in the DLQ', journal: 'redrive journal' };

/** What a run knows before it moves anything. */
interface Redrive {
  options: RedriveOptions;
  dlq: QueueRef;
  destination: QueueRef | undefined;
  /** The queues whose redrive policy names the DLQ. */
  sources: string[];
  queues: SqsQueues;
  steady: SqsQueues;
  filter: MessageFilter | undefined;
  dryRun: boolean;
  notes: string[];
  note: (m: string) => void;
  started: number;
}

export async function redriveDlq(clients: AwsClients, options: RedriveOptions): Promise<RedriveResult> {
  const r = await openRedrive(clients, options);
  // SQS's move task moves everything, unfiltered and uncounted, and only out of a queue that is some queue's DLQ.
  const nativeFits = !options.manual && !r.filter && options.max === undefined && !r.dryRun;
  if (nativeFits && r.sources.length === 0)
    r.note(`${r.dlq.name} is not the DLQ of any queue, so SQS's move task cannot take from it: moving by hand`);
  if (nativeFits && r.sources.length > 0) {
    const native = await redriveNative(r);
    if (native) return native;
  }
  return redriveManual(r, r.destination ?? (await onlySource(r)));
}

/** Opens the DLQ and the destination, and finds the DLQ's sources; checks what can be checked first. */
async function openRedrive(clients: AwsClients, options: RedriveOptions): Promise<Redrive> {
  const started = performance.now();
  checkManualOptions(options);
  const filter = compileFilter(options.filter);
  const notes: string[] = [];
  const note = (m: string) => {
    notes.push(m);
    options.notify?.(m);
  };
  const open = (q: string) => openQueue(clients, q, { signal: options.signal });
  const dlq = await open(options.from);
  const queues = await sqsQueues(clients, options.signal);
  const steady = await sqsQueues(clients);
  const destination = options.to ? await open(options.to) : undefined;
  if (destination?.url === dlq.url) throw new UsageError('--to names the DLQ itself', { hint: 'pass the queue the messages should go to' });
  const sources = await sourceQueues(queues, dlq);
  if (!destination && sources.length === 0) {
    throw new UsageError(`${dlq.name} is not the DLQ of any queue: there is no source to move its messages back to`, {
      hint: 'name the destination with --to QUEUE',
    });
  }
  const dryRun = options.dryRun ?? false;
  return { options, dlq, destination, sources, queues, steady, filter, dryRun, notes, note, started };
}

/** The result, in the order it is printed: what was asked, the counts, the DLQ's depth after the run, notes and time. */
async function resultOf(r: Redrive, destination: string, path: RedriveResult['path'], counts: Omit<ManualOutcome, 'releaseFailed'>) {
  const { stoppedBy, ...rest } = counts;
  return {
    dlq: r.dlq.name,
    destination,
    path,
    dryRun: r.dryRun,
    ...rest,
    left: await queueDepth(r.steady, r.dlq.url),
    notes: r.notes,
    durationMs: performance.now() - r.started,
    ...(stoppedBy !== undefined ? { stoppedBy } : {}),
  };
}

/** SQS's own move task; undefined when the endpoint has none (then the move is by hand). */
async function redriveNative(r: Redrive): Promise<RedriveResult | undefined> {
  const { steady, dlq, destination, options } = r;
  const { rate, signal, pollMs, onProgress } = options;
  const native = await nativeMove({ steady, dlq, destination, rate, signal, pollMs, onProgress });
  if (!native.supported) {
    r.note(`SQS's message move task is not available here (${native.reason}): moving by hand`);
    return undefined;
  }
  const { task } = native;
  const failed: MoveFailure[] =
    task.status === 'FAILED'
      ? [{ messageId: '', stage: 'task', code: 'MoveTaskFailed', reason: task.failureReason ?? 'the move task failed' }]
      : [];
  const counts = { moved: task.moved, recovered: 0, filteredOut: 0, heldBack: 0, failed, wouldMove: [], receives: 0 };
  return resultOf(r, destination?.name ?? 'original sources', 'native', { ...counts, stoppedBy: native.stoppedBy });
}

/** Without --to, a manual move goes to the one queue whose DLQ this is. */
async function onlySource({ dlq, sources, steady }: Redrive): Promise<QueueRef> {
  if (sources.length > 1) {
    throw new UsageError(
      `${dlq.name} is the DLQ of ${sources.length} queues (${sources.map(queueNameFromUrl).join(', ')}): moving by hand needs one destination`,
      { hint: 'name the destination with --to QUEUE' },
    );
  }
  return steady.describe(sources[0]!);
}

/** The manual move: receive, send, record, delete. */
async function redriveManual(r: Redrive, destination: QueueRef): Promise<RedriveResult> {
  const { options, dlq, steady } = r;
  fifoNotes(dlq, destination, r.note);
  const journal = options.journalDir && !r.dryRun ? await openMoveJournal(options.journalDir, dlq.arn) : undefined;
  let manual: ManualOutcome;
  try {
    manual = await manualMove({
      queues: r.queues,
      steady,
      source: dlq,
      words: REDRIVE_WORDS,
      destinationName: destination.name,
      deliver: (batch, onSent) => forwardMessages(steady, destination, batch, onSent),
      filter: r.filter,
      dryRun: r.dryRun,
      journal,
      ...manualSettings(options),
    });
  } finally {
    journal?.close();
  }
  releaseNote(manual.releaseFailed, dlq, options, r.note);
  const { releaseFailed: _released, ...counts } = manual;
  return resultOf(r, destination.name, 'manual', counts);
}
