/**
 * The manual move, for `redrive-dlq` and `move`: receive from the source, deliver to the
 * destination (a queue: body, attributes, group and a dedup id derived from the source
 * message id; or an export file), record the delivery in the journal, and only then
 * delete from the source (moveBatch.ts). Messages left behind (filtered out, failed, dry
 * run, copied, or behind a held message of their FIFO group) are kept hidden for the rest
 * of the run, so no poll sees them twice, and made visible again when it ends.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@aws-sdk/client-sqs';
import { messageAttributes } from '../../aws/messageAttributes.js';
import type { QueueRef, SqsQueues } from '../../aws/queue.js';
import { queueCounters } from '../../aws/queueCounters.js';
import { DrainPace, drained, type Turn } from '../../core/drain.js';
import type { MessageFilter } from '../../core/redriveFilter.js';
import type { SendOutcome } from '../../pipeline/forward.js';
import { moveBatch, release } from './moveBatch.js';
import type { MoveJournal } from './moveJournal.js';
import type { MoveFailure, MovePreview, MoveProgress, MoveWords } from './types.js';

export { checkManualOptions, fifoNotes, type ManualMoveOptions, manualSettings, queueDepth, releaseNote } from './moveOptions.js';

export interface ManualMoveParams {
  /** Carries the run's signal: a long poll stops at Ctrl-C. */
  queues: SqsQueues;
  /** No signal: a batch already received is sent, recorded and deleted even after Ctrl-C. */
  steady: SqsQueues;
  /** Where messages are taken from (a DLQ for redrive-dlq, any queue for move). */
  source: QueueRef;
  /** How the user knows the source and the journal. */
  words: MoveWords;
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
  onProgress?: ((p: MoveProgress) => void) | undefined;
}

export interface ManualOutcome {
  moved: number;
  /** Sent by an earlier run that was killed before its delete: deleted now, not sent again. */
  recovered: number;
  filteredOut: number;
  /** FIFO: left behind an earlier message of their group that stays on the source. */
  heldBack: number;
  failed: MoveFailure[];
  wouldMove: MovePreview[];
  /** Left-behind messages that could not be made visible at once (they return after the visibility timeout). */
  releaseFailed: number;
  /** ReceiveMessage calls made. */
  receives: number;
  stoppedBy?: string;
}

export async function manualMove(p: ManualMoveParams): Promise<ManualOutcome> {
  return new ManualRun(p).run();
}

function preview(m: Message): MovePreview {
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

/** One run: its lanes, what they have done, what they hold back, and how they share --max and --rate. */
class ManualRun {
  readonly out: ManualOutcome = {
    moved: 0,
    recovered: 0,
    filteredOut: 0,
    heldBack: 0,
    failed: [],
    wouldMove: [],
    releaseFailed: 0,
    receives: 0,
  };
  /** Every message this run is done with, by source id, and its newest receipt handle while it is still on the source. */
  readonly handled = new Map<string, string | undefined>();
  /** FIFO: groups with a message left behind; later messages of the group stay behind it. */
  private readonly blocked = new Set<string>();
  private readonly started = performance.now();
  // --max and --rate: each lane reserves what it asks for before it receives.
  private reserved = 0;
  private granted = 0;
  private fatal: { error: unknown } | undefined;
  // The run ends once the source is empty: see core/drain.ts for how lanes wait and when that is.
  private readonly pace = new DrainPace();
  /** New messages received and not yet dealt with, by any lane. */
  private inHand = 0;
  /** When the run of empty long polls began (undefined: the last receive brought something new). */
  private emptySince: number | undefined;

  constructor(private readonly p: ManualMoveParams) {}

  async run(): Promise<ManualOutcome> {
    try {
      // FIFO keeps order across lanes: SQS hands no lane a group while another holds part of it.
      // Under --rate, no more lanes than the rate needs: a lane waiting for its slot would wait out an empty queue too.
      const { rate, concurrency } = this.p;
      const lanes = rate ? Math.max(1, Math.min(concurrency, Math.floor(rate / 10))) : concurrency;
      const firstError = (e: unknown) => {
        this.fatal ??= { error: e };
      };
      await Promise.all(Array.from({ length: lanes }, () => this.lane().catch(firstError)));
      if (this.fatal) throw this.fatal.error;
    } finally {
      this.out.releaseFailed = await release(this.p, this.handled);
    }
    return this.out;
  }

  readonly hold = (m: Message, blocks = true): void => {
    this.handled.set(m.MessageId ?? '', m.ReceiptHandle);
    const group = m.Attributes?.MessageGroupId;
    if (blocks && this.p.source.fifo && group) this.blocked.add(group);
  };

  private done = () => (this.p.dryRun ? this.out.wouldMove.length : this.out.moved);
  private stopped = () => this.fatal !== undefined || this.out.stoppedBy !== undefined;

  private progress(): void {
    const { moved, filteredOut, failed, wouldMove } = this.out;
    this.p.onProgress?.({ moved, filteredOut, failed: failed.length, wouldMove: wouldMove.length });
  }

  /** A lane that ends for any reason but --max ends the run: the others stop waiting for their turn. */
  private async lane(): Promise<void> {
    try {
      if ((await this.laneLoop()) === 'over') this.pace.stop();
    } catch (e: unknown) {
      this.pace.stop();
      throw e;
    }
  }

  /** One receive-send-delete loop; 'max' when --max is taken by the lanes, else the run is over. */
  private async laneLoop(): Promise<'max' | 'over'> {
    while (!this.stopped()) {
      if (this.p.signal?.aborted) {
        this.out.stoppedBy = 'interrupted';
        return 'over';
      }
      const turn = await this.pace.turn();
      const { max, rate } = this.p;
      const want = Math.min(10, rate ?? 10, max !== undefined ? max - this.done() - this.reserved : 10);
      if (turn === 'stop' || want <= 0 || this.stopped()) {
        this.pace.received(turn, 0);
        return want <= 0 && turn !== 'stop' && !this.stopped() ? 'max' : 'over'; // --max: the rest is already taken by other lanes
      }
      this.reserved += want;
      const got = await this.receive(turn, want);
      if (!got || (await this.takeReceived(turn, want, got.batch, got.receivedAt))) return 'over';
    }
    return 'over';
  }

  /** Waits for its --rate slot and receives; undefined when the receive failed (the run is over). */
  private async receive(turn: Turn, want: number): Promise<{ batch: Message[]; receivedAt: number } | undefined> {
    // --rate: this receive may start once the messages granted before it are within the cap.
    const due = this.p.rate ? this.started + (this.granted * 1000) / this.p.rate : 0;
    this.granted += want;
    try {
      if (due > performance.now()) await sleep(due - performance.now(), undefined, { signal: this.p.signal });
      const receivedAt = performance.now();
      this.out.receives++;
      const waitSeconds = turn === 'short' ? 0 : this.p.waitSeconds;
      const batch = await this.p.queues.receive(this.p.source.url, { max: want, waitSeconds, visibilityTimeout: this.p.visibilityTimeout });
      return { batch, receivedAt };
    } catch (e: unknown) {
      this.reserved -= want;
      this.pace.received(turn, 0);
      if (this.p.signal?.aborted) this.out.stoppedBy = 'interrupted';
      else this.fatal ??= { error: e };
      return undefined;
    }
  }

  /** Deals with one received batch; true when it shows the source is empty for this run. */
  private async takeReceived(turn: Turn, want: number, batch: Message[], receivedAt: number): Promise<boolean> {
    const fresh = batch.filter((m) => !this.handled.has(m.MessageId ?? ''));
    this.inHand += fresh.length;
    this.pace.received(turn, fresh.length);
    try {
      for (const m of batch) if (this.handled.has(m.MessageId ?? '')) this.handled.set(m.MessageId ?? '', m.ReceiptHandle);
      // Left-behind messages coming back after their visibility are not new.
      if (fresh.length === 0) return await this.isEmpty(turn, receivedAt);
      this.emptySince = undefined;
      await this.takeFresh(fresh);
      this.progress();
      return false;
    } finally {
      this.reserved -= want;
      this.inHand -= fresh.length;
      this.pace.wake();
    }
  }

  /** After a receive that brought nothing new: whether the source is empty for this run. */
  private async isEmpty(turn: Turn, receivedAt: number): Promise<boolean> {
    if (turn === 'long') {
      // A long poll may come back empty early (an emulator wakes every poller when one message
      // returns): that is not a whole wait, so it polls again.
      this.emptySince ??= receivedAt;
      return performance.now() - this.emptySince >= this.p.waitSeconds * 1000 - 20;
    }
    if (this.inHand > 0) {
      await this.pace.settled();
      return false;
    }
    // Left-behind messages are hidden by this run: they are not more to come.
    const held = [...this.handled.values()].filter((h) => h !== undefined).length;
    if (drained(await queueCounters(this.p.steady, this.p.source.url), held)) return true;
    this.pace.expect();
    return false;
  }

  /** Sorts new messages: held back, filtered out, previewed (dry run), or moved. */
  private async takeFresh(fresh: Message[]): Promise<void> {
    const { out, p } = this;
    const toMove: Message[] = [];
    for (const m of fresh) {
      const group = m.Attributes?.MessageGroupId;
      if (p.source.fifo && group && this.blocked.has(group)) {
        out.heldBack++;
        this.hold(m);
      } else if (p.filter && !p.filter({ body: m.Body ?? '', attributes: m.MessageAttributes ?? {} })) {
        out.filteredOut++;
        this.hold(m);
      } else if (p.dryRun) {
        out.wouldMove.push(preview(m));
        this.hold(m);
      } else {
        toMove.push(m);
      }
    }
    if (toMove.length > 0) await moveBatch(p, toMove, this);
  }
}
