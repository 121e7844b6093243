/**
 * The manual move, for `redrive-dlq` and `move`: receive from the source, deliver to the
 * destination (a queue: body, attributes, group and a dedup id derived from the source
 * message id; or an export file), record the delivery in the journal, and only then
 * delete from the source. Messages left behind (filtered out, failed, dry run, copied,
 * or behind a held message of their FIFO group) are kept hidden for the rest of the run,
 * so no poll sees them twice, and made visible again when it ends.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@aws-sdk/client-sqs';
import type { QueueRef, SqsQueues } from '../../aws/queue.js';
import { queueCounters } from '../../aws/queueCounters.js';
import { DrainPace, drained, type Turn } from '../../core/drain.js';
import type { MessageFilter } from '../../core/redriveFilter.js';
import { entryBatches } from '../../core/batching.js';
import type { MoveJournal } from './moveJournal.js';
import { DEFAULT_GROUP, type SendOutcome } from '../../pipeline/forward.js';
import { UsageError } from '../../core/errors.js';
import { messageAttributes } from '../../aws/messageAttributes.js';
import type { RedriveFailure, RedrivePreview, RedriveProgress } from './types.js';

export interface ManualMoveParams {
  /** Carries the run's signal: a long poll stops at Ctrl-C. */
  queues: SqsQueues;
  /** No signal: a batch already received is sent, recorded and deleted even after Ctrl-C. */
  steady: SqsQueues;
  /** Where messages are taken from (a DLQ for redrive-dlq, any queue for move). */
  dlq: QueueRef;
  /** The destination's name, for the journal. */
  destinationName: string;
  /** Delivers messages in order; `onSent` hears the source ids of each accepted part at once. */
  deliver: (batch: Message[], onSent: (sourceIds: string[]) => void) => Promise<SendOutcome>;
  /** Copy: deliver, then leave the source message in place (made visible again at the end). @default false */
  copy?: boolean | undefined;
  filter?: MessageFilter | undefined;
  max?: number | undefined;
  rate?: number | undefined;
  waitSeconds: number;
  visibilityTimeout: number;
  /** Receive-send-delete loops running at once. */
  concurrency: number;
  dryRun: boolean;
  journal?: MoveJournal | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((p: RedriveProgress) => void) | undefined;
}

export interface ManualOutcome {
  moved: number;
  /** Sent by an earlier run that was killed before its delete: deleted now, not sent again. */
  recovered: number;
  filteredOut: number;
  /** FIFO: left behind an earlier message of their group that stays in the DLQ. */
  heldBack: number;
  failed: RedriveFailure[];
  wouldMove: RedrivePreview[];
  /** Left-behind messages that could not be made visible at once (they return after the visibility timeout). */
  releaseFailed: number;
  /** ReceiveMessage calls made. */
  receives: number;
  stoppedBy?: string;
}

/** The options `move` and `redrive-dlq` both take for a manual move, checked and defaulted the same way. */
export interface ManualMoveOptions {
  max?: number;
  rate?: number;
  /** @default 8 */
  concurrency?: number;
  /** @default 20 */
  waitSeconds?: number;
  /** @default 30 */
  visibilityTimeout?: number;
  signal?: AbortSignal;
  onProgress?: (p: RedriveProgress) => void;
}

/** A usage error for a number out of its range, before anything connects. */
export function checkManualOptions(o: ManualMoveOptions): void {
  const whole = (v: number | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max))
      throw new UsageError(`${flag} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, not ${v}`);
  };
  whole(o.max, '--max', 1);
  whole(o.rate, '--rate', 1);
  whole(o.concurrency, '--concurrency', 1, 64);
  whole(o.waitSeconds, '--wait', 0, 20);
  whole(o.visibilityTimeout, '--visibility-timeout', 5, 43_200);
}

/** The manualMove parameters the options give, with their defaults. */
export function manualSettings(o: ManualMoveOptions) {
  return {
    max: o.max,
    rate: o.rate,
    waitSeconds: o.waitSeconds ?? 20,
    visibilityTimeout: o.visibilityTimeout ?? 30,
    concurrency: o.concurrency ?? 8,
    signal: o.signal,
    onProgress: o.onProgress,
  };
}

/** Notes what a move between a FIFO and a standard queue loses or adds. */
export function fifoNotes(source: QueueRef, destination: QueueRef, note: (m: string) => void): void {
  if (source.fifo && !destination.fifo) note(`${destination.name} is a standard queue: FIFO order and message groups are not kept`);
  if (!source.fifo && destination.fifo)
    note(`${destination.name} is FIFO and ${source.name} is not: every message goes to group "${DEFAULT_GROUP}"`);
}

/** The note for left-behind messages that could not be made visible at once, if there are any. */
export function releaseNote(releaseFailed: number, source: QueueRef, o: ManualMoveOptions, note: (m: string) => void): void {
  if (releaseFailed > 0)
    note(
      `${releaseFailed} messages left in ${source.name} could not be made visible at once; they return within ${o.visibilityTimeout ?? 30} s`,
    );
}

/** A queue's approximate depth (read without the run's signal: it is read at the end, after Ctrl-C too). */
export async function queueDepth(steady: SqsQueues, url: string): Promise<{ visible: number; inFlight: number }> {
  const a = await steady.attributes(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
  return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) };
}

function preview(m: Message): RedrivePreview {
  const body = m.Body ?? '';
  return {
    messageId: m.MessageId ?? '',
    groupId: m.Attributes?.MessageGroupId,
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
    bytes: Buffer.byteLength(body),
    body,
    attributes: messageAttributes(m),
  };
}

export async function manualMove(p: ManualMoveParams): Promise<ManualOutcome> {
  const out: ManualOutcome = {
    moved: 0,
    recovered: 0,
    filteredOut: 0,
    heldBack: 0,
    failed: [],
    wouldMove: [],
    releaseFailed: 0,
    receives: 0,
  };
  /** Every message this run is done with, by DLQ id, and its newest receipt handle if it is still in the DLQ. */
  const handled = new Map<string, string | undefined>();
  /** FIFO: groups with a message left behind; later messages of the group stay behind it. */
  const blocked = new Set<string>();
  const started = performance.now();
  const done = () => (p.dryRun ? out.wouldMove.length : out.moved);
  const progress = () =>
    p.onProgress?.({ moved: out.moved, filteredOut: out.filteredOut, failed: out.failed.length, wouldMove: out.wouldMove.length });
  const hold = (m: Message, blocks = true) => {
    handled.set(m.MessageId ?? '', m.ReceiptHandle);
    const group = m.Attributes?.MessageGroupId;
    if (blocks && p.dlq.fifo && group) blocked.add(group);
  };

  // --max and --rate: each lane reserves what it asks for before it receives.
  let reserved = 0;
  let granted = 0;
  let fatal: { error: unknown } | undefined;
  const stop = () => fatal !== undefined || out.stoppedBy !== undefined;

  // The run ends once the source is empty: see core/drain.ts for how lanes wait and when that is.
  const pace = new DrainPace();
  /** New messages received and not yet dealt with, by any lane. */
  let inHand = 0;
  /** When the run of empty long polls began (undefined: the last receive brought something new). */
  let emptySince: number | undefined;
  /** After a receive that brought nothing new: whether the source is empty for this run. */
  const isEmpty = async (turn: Turn, receivedAt: number): Promise<boolean> => {
    if (turn === 'long') {
      // A long poll may come back empty early (an emulator wakes every poller when one message
      // returns): that is not a whole wait, so it polls again.
      emptySince ??= receivedAt;
      return performance.now() - emptySince >= p.waitSeconds * 1000 - 20;
    }
    if (inHand > 0) {
      await pace.settled();
      return false;
    }
    // Left-behind messages are hidden by this run: they are not more to come.
    const held = [...handled.values()].filter((h) => h !== undefined).length;
    if (drained(await queueCounters(p.steady, p.dlq.url), held)) return true;
    pace.expect();
    return false;
  };

  /** One receive-send-delete loop; 'max' when --max is taken by the lanes, else the run is over. */
  const laneLoop = async (): Promise<'max' | 'over'> => {
    while (!stop()) {
      if (p.signal?.aborted) {
        out.stoppedBy = 'interrupted';
        return 'over';
      }
      const turn = await pace.turn();
      const want = Math.min(10, p.rate ?? 10, p.max !== undefined ? p.max - done() - reserved : 10);
      if (turn === 'stop' || want <= 0 || stop()) {
        pace.received(turn, 0);
        return want <= 0 && turn !== 'stop' && !stop() ? 'max' : 'over'; // --max: the rest is already taken by other lanes
      }
      reserved += want;
      // --rate: this receive may start once the messages granted before it are within the cap.
      const due = p.rate ? started + (granted * 1000) / p.rate : 0;
      granted += want;
      let batch: Message[];
      let receivedAt = performance.now();
      try {
        if (due > performance.now()) await sleep(due - performance.now(), undefined, { signal: p.signal });
        receivedAt = performance.now();
        out.receives++;
        const waitSeconds = turn === 'short' ? 0 : p.waitSeconds;
        batch = await p.queues.receive(p.dlq.url, { max: want, waitSeconds, visibilityTimeout: p.visibilityTimeout });
      } catch (e: unknown) {
        reserved -= want;
        pace.received(turn, 0);
        if (p.signal?.aborted) out.stoppedBy = 'interrupted';
        else fatal ??= { error: e };
        return 'over';
      }
      const fresh = batch.filter((m) => !handled.has(m.MessageId ?? ''));
      inHand += fresh.length;
      pace.received(turn, fresh.length);
      try {
        for (const m of batch) if (handled.has(m.MessageId ?? '')) handled.set(m.MessageId ?? '', m.ReceiptHandle);
        if (fresh.length === 0) {
          // Left-behind messages coming back after their visibility are not new.
          if (await isEmpty(turn, receivedAt)) return 'over';
          continue;
        }
        emptySince = undefined;
        await takeFresh(fresh);
        progress();
      } finally {
        reserved -= want;
        inHand -= fresh.length;
        pace.wake();
      }
    }
    return 'over';
  };

  const takeFresh = async (fresh: Message[]): Promise<void> => {
    const toMove: Message[] = [];
    for (const m of fresh) {
      const group = m.Attributes?.MessageGroupId;
      if (p.dlq.fifo && group && blocked.has(group)) {
        out.heldBack++;
        hold(m);
      } else if (p.filter && !p.filter({ body: m.Body ?? '', attributes: m.MessageAttributes ?? {} })) {
        out.filteredOut++;
        hold(m);
      } else if (p.dryRun) {
        out.wouldMove.push(preview(m));
        hold(m);
      } else {
        toMove.push(m);
      }
    }
    if (toMove.length > 0) await moveBatch(p, toMove, out, handled, hold);
  };

  /** A lane that ends for any reason but --max ends the run: the others stop waiting for their turn. */
  const lane = async (): Promise<void> => {
    try {
      if ((await laneLoop()) === 'over') pace.stop();
    } catch (e: unknown) {
      pace.stop();
      throw e;
    }
  };

  try {
    // FIFO keeps order across lanes: SQS hands no lane a group while another holds part of it.
    // Under --rate, no more lanes than the rate needs: a lane waiting for its slot would wait out an empty queue too.
    const lanes = p.rate ? Math.max(1, Math.min(p.concurrency, Math.floor(p.rate / 10))) : p.concurrency;
    const firstError = (e: unknown) => {
      fatal ??= { error: e };
    };
    await Promise.all(Array.from({ length: lanes }, () => lane().catch(firstError)));
    if (fatal) throw fatal.error;
  } finally {
    out.releaseFailed = await release(p, handled);
  }
  return out;
}

/** Sends one received batch, records it, deletes what is safely at the destination. */
async function moveBatch(
  p: ManualMoveParams,
  batch: Message[],
  out: ManualOutcome,
  handled: Map<string, string | undefined>,
  hold: (m: Message, blocks?: boolean) => void,
): Promise<void> {
  // A message a killed run already sent is deleted without sending it again (a copy keeps no journal).
  await p.journal?.refresh();
  const sentBefore = p.journal ? batch.filter((m) => p.journal!.has(m.MessageId ?? '')) : [];
  const toSend = batch.filter((m) => !sentBefore.includes(m));
  // Written down the moment SQS accepts each batch, on disk before anything is deleted:
  // a crash in between is caught by the next run.
  let journalError: unknown;
  const onSent = (ids: string[]) => {
    if (!p.journal || journalError) return;
    try {
      p.journal.append(ids, p.destinationName);
    } catch (e: unknown) {
      journalError = e;
    }
  };
  const sent = await p.deliver(toSend, onSent);
  const byId = new Map(toSend.map((m) => [m.MessageId ?? '', m]));
  for (const f of sent.failed) {
    out.failed.push({ ...f, stage: 'send' });
    hold(byId.get(f.messageId)!);
  }
  for (const id of sent.skipped) {
    out.heldBack++;
    hold(byId.get(id)!);
  }
  if (sent.stoppedBy) out.stoppedBy = sent.stoppedBy;
  const sentIds = new Set(sent.sentIds);
  const safe = [...sentBefore, ...toSend.filter((m) => sentIds.has(m.MessageId ?? ''))];
  try {
    if (journalError) throw journalError;
    await p.journal?.flush();
  } catch (e: unknown) {
    // Deleting is still right (the messages are at the destination); only the crash cover is gone.
    out.stoppedBy = `the redrive journal could not be written (${(e as Error).message ?? String(e)})`;
  }
  out.moved += sent.sentIds.length;
  out.recovered += sentBefore.length;
  if (p.copy) {
    // A copy leaves the source as it was: delivered messages are released with the rest at the end.
    for (const m of safe) hold(m, false);
    return;
  }
  for (const chunk of entryBatches(safe)) {
    let deleted: Set<string>;
    let failures: { id: string; code: string; message: string }[];
    try {
      const res = await p.steady.deleteBatch(
        p.dlq.url,
        chunk.map((m, j) => ({ id: String(j), receiptHandle: m.ReceiptHandle ?? '' })),
      );
      deleted = new Set(res.successful);
      failures = res.failed;
    } catch (e: unknown) {
      deleted = new Set();
      failures = chunk.map((_, j) => ({ id: String(j), code: (e as Error).name || 'Error', message: (e as Error).message ?? String(e) }));
    }
    chunk.forEach((m, j) => {
      if (deleted.has(String(j))) {
        handled.set(m.MessageId ?? '', undefined);
        return;
      }
      const f = failures.find((x) => x.id === String(j));
      out.failed.push({
        messageId: m.MessageId ?? '',
        stage: 'delete',
        code: f?.code ?? 'Unknown',
        reason: `at the destination, but still in the DLQ (${f?.message || f?.code || 'delete failed'})${p.journal ? '; the next run deletes it without sending it again' : ''}`,
      });
      hold(m);
    });
  }
}

/** Makes every left-behind message visible again at once; returns how many could not be. */
async function release(p: ManualMoveParams, handled: Map<string, string | undefined>): Promise<number> {
  const left = [...handled.values()].filter((h): h is string => h !== undefined);
  let failed = 0;
  for (const chunk of entryBatches(left)) {
    try {
      const res = await p.steady.changeVisibilityBatch(
        p.dlq.url,
        chunk.map((h, j) => ({ id: String(j), receiptHandle: h, visibilityTimeout: 0 })),
      );
      failed += res.failed.length;
    } catch {
      failed += chunk.length; // they come back by themselves when their visibility timeout ends
    }
  }
  return failed;
}
