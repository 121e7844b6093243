/**
 * The run's books, by SQS message id: what was sent and when, what the workers did with
 * it (from their action logs), which ledger keys they wrote, and which messages of others
 * they released. At every moment sent = processed + toDlq + waiting.
 */
import { Histogram } from './histogram.js';
import { doneKind, type DoneKind } from './workers.js';
import { StageTimes } from './stages.js';

/** A completion is matched to its send within this long, or it never will be. */
const EARLY_MS = 10_000;

export class Tally {
  /** Not yet completed: id -> send time, oldest first (sends are inserted as SQS acknowledges them). */
  readonly waiting = new Map<string, number>();
  /** Completions seen before their send was acknowledged to us (possible, if rare). */
  private readonly early = new Map<string, { at: number; kind: DoneKind }>();
  private readonly completedIds = new Set<string>();
  /** Ids a worker took and did not complete: back on the queue, perhaps hidden for a while. */
  readonly hidden = new Set<string>();
  /** Every ledger key a worker claimed (the run's records, cleaned at the end). */
  readonly keys = new Set<string>();
  /** Others' messages the workers received and released untouched. */
  readonly foreign = new Set<string>();
  readonly total = new Histogram();
  /** Where the time went, stage by stage (in-process workers only). */
  readonly stages = new StageTimes();
  interval = new Histogram();
  sent = 0;
  processed = 0;
  toDlq = 0;
  maxAgeMs = 0;

  get completed(): number {
    return this.processed + this.toDlq;
  }

  onSent = (id: string, sentAt: number): void => {
    this.sent++;
    const e = this.early.get(id);
    if (e) {
      this.early.delete(id);
      this.complete(id, sentAt, e.at, e.kind);
    } else this.waiting.set(id, sentAt);
  };

  onAction = (traceId: string, action: string, status: string, details: Record<string, unknown>): void => {
    if (typeof details.key === 'string') this.keys.add(details.key);
    if (action === 'foreign') {
      this.foreign.add(typeof details.messageId === 'string' ? details.messageId : traceId);
      return;
    }
    const kind = doneKind(action, status);
    // Taken and not done (a retry, a claim held elsewhere, a failed write): back on the queue, maybe hidden.
    if (!kind) {
      if (!this.completedIds.has(traceId)) this.hidden.add(traceId);
      return;
    }
    const sentAt = this.waiting.get(traceId);
    if (sentAt !== undefined) this.complete(traceId, sentAt, Date.now(), kind);
    else if (!this.completedIds.has(traceId)) this.early.set(traceId, { at: Date.now(), kind });
  };

  /** Drops early completions never matched (their send was never acknowledged to us). */
  expireEarly(now = Date.now()): void {
    for (const [id, e] of this.early) {
      if (now - e.at < EARLY_MS) break;
      this.early.delete(id);
    }
  }

  /** Age of the oldest message sent and not yet completed. */
  oldestAgeMs(now = Date.now()): number {
    const oldest = this.waiting.values().next();
    const age = oldest.done ? 0 : now - oldest.value;
    if (age > this.maxAgeMs) this.maxAgeMs = age;
    return age;
  }

  private complete(id: string, sentAt: number, at: number, kind: DoneKind): void {
    this.waiting.delete(id);
    this.hidden.delete(id);
    // A redelivery of a message already done: the pipeline skipped it, as it should.
    if (this.completedIds.has(id)) return;
    this.completedIds.add(id);
    if (kind === 'dlq') this.toDlq++;
    else this.processed++;
    const ms = at - sentAt;
    this.total.record(ms);
    this.interval.record(ms);
    if (ms > this.maxAgeMs) this.maxAgeMs = ms;
  }
}
