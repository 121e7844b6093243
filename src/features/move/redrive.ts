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
import { compileFilter } from '../../core/redriveFilter.js';
import { openMoveJournal } from './moveJournal.js';
import { checkManualOptions, fifoNotes, manualMove, manualSettings, queueDepth, releaseNote } from './manualMove.js';
import type { ManualMoveOptions, ManualOutcome } from './manualMove.js';
import { nativeMove } from './redriveNative.js';
import { forwardMessages } from '../../pipeline/forward.js';
import { openQueue, type Notify, sqsQueues } from '../../pipeline/resources.js';
import type { RedriveFailure, RedriveProgress } from './types.js';

export type { RedriveFailure, RedrivePreview, RedriveProgress } from './types.js';

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
  onProgress?: (p: RedriveProgress) => void;
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

export async function redriveDlq(clients: AwsClients, options: RedriveOptions): Promise<RedriveResult> {
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
  let destination = options.to ? await open(options.to) : undefined;
  if (destination?.url === dlq.url) throw new UsageError('--to names the DLQ itself', { hint: 'pass the queue the messages should go to' });
  const sources = await sourceQueues(queues, dlq);
  const depth = () => queueDepth(steady, dlq.url);
  const dryRun = options.dryRun ?? false;

  if (!destination && sources.length === 0) {
    throw new UsageError(`${dlq.name} is not the DLQ of any queue: there is no source to move its messages back to`, {
      hint: 'name the destination with --to QUEUE',
    });
  }
  // SQS's move task moves everything, unfiltered and uncounted, and only out of a queue that is some queue's DLQ.
  const nativeFits = !options.manual && !filter && options.max === undefined && !dryRun;
  if (nativeFits && sources.length === 0)
    note(`${dlq.name} is not the DLQ of any queue, so SQS's move task cannot take from it: moving by hand`);
  if (nativeFits && sources.length > 0) {
    const native = await nativeMove({
      steady,
      dlq,
      destination,
      rate: options.rate,
      signal: options.signal,
      pollMs: options.pollMs,
      onProgress: options.onProgress,
    });
    if (native.supported) {
      const { task } = native;
      const failed: RedriveFailure[] =
        task.status === 'FAILED'
          ? [{ messageId: '', stage: 'task', code: 'MoveTaskFailed', reason: task.failureReason ?? 'the move task failed' }]
          : [];
      return {
        dlq: dlq.name,
        destination: destination?.name ?? 'original sources',
        path: 'native',
        dryRun,
        moved: task.moved,
        recovered: 0,
        filteredOut: 0,
        heldBack: 0,
        failed,
        wouldMove: [],
        receives: 0,
        left: await depth(),
        notes,
        durationMs: performance.now() - started,
        stoppedBy: native.stoppedBy,
      };
    }
    note(`SQS's message move task is not available here (${native.reason}): moving by hand`);
  }

  if (!destination) {
    if (sources.length > 1) {
      throw new UsageError(
        `${dlq.name} is the DLQ of ${sources.length} queues (${sources.map(queueNameFromUrl).join(', ')}): moving by hand needs one destination`,
        {
          hint: 'name the destination with --to QUEUE',
        },
      );
    }
    destination = await steady.describe(sources[0]!);
  }
  fifoNotes(dlq, destination, note);
  const journal = options.journalDir && !dryRun ? await openMoveJournal(options.journalDir, dlq.arn) : undefined;
  let manual: Awaited<ReturnType<typeof manualMove>>;
  try {
    manual = await manualMove({
      queues,
      steady,
      dlq,
      destinationName: destination.name,
      deliver: (batch, onSent) => forwardMessages(steady, destination, batch, onSent),
      filter,
      dryRun,
      journal,
      ...manualSettings(options),
    });
  } finally {
    journal?.close();
  }
  releaseNote(manual.releaseFailed, dlq, options, note);
  const { releaseFailed: _released, ...counts } = manual;
  return {
    dlq: dlq.name,
    destination: destination.name,
    path: 'manual',
    dryRun,
    ...counts,
    left: await depth(),
    notes,
    durationMs: performance.now() - started,
  };
}
