/**
 * When a drain may end: what this run still holds and what it left on the queue. An empty
 * receive ends a drain only when nothing this run holds may fail back onto the queue and the
 * counters say every message still there is one this run left (see core/drain.ts). The same
 * bookkeeping counts a message deferred earlier and received again once, by its final outcome.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { SqsQueues } from '../../aws/queue.js';
import { queueCounters } from '../../aws/queueCounters.js';
import { type DrainPace, drained, type Turn } from '../../core/drain.js';
import type { Metrics } from '../../core/metrics.js';
import type { InboundMessage } from '../../pipeline/inbound.js';
import type { Outcome } from './types.js';

/** How long a message made visible again "soon" keeps a drain waiting for it. */
const EXPECT_BACK_MS = 5000;

export class DrainEnd {
  /** Received and not yet acknowledged, released or handed back. */
  inHand = 0;
  private readonly expectBack = new Map<string, number>();
  /** Left on the queue by this run, hidden or soon visible: in-flight messages a drain need not wait for. */
  private readonly leftByUs = new Set<string>();
  /** Counted deferred: one that comes back in this run is counted again by its final outcome instead. */
  private readonly deferred = new Set<string>();

  constructor(
    private readonly queues: SqsQueues,
    private readonly queueUrl: string,
    private readonly pace: DrainPace | undefined,
    /** Messages this run holds hidden apart from its batches (foreign ones near their limit). */
    private readonly heldApart: () => number,
  ) {}

  /** Messages just received: no longer expected back, and a deferred one is counted once, by the outcome it gets now. */
  received(messages: readonly Message[], metrics: Metrics): void {
    for (const m of messages) {
      const id = m.MessageId ?? '';
      this.expectBack.delete(id);
      this.leftByUs.delete(id);
      if (!this.deferred.delete(id)) continue;
      metrics.inc('MessagesReceived', -1);
      metrics.inc('MessagesDeferred', -1);
    }
  }

  /** What a batch leaves on the queue: deferred ones are counted again if they come back; none of it keeps a drain waiting. */
  left(batch: readonly InboundMessage[], outcomes: readonly Outcome[]): void {
    batch.forEach((m, i) => {
      const kind = outcomes[i]?.kind;
      if (kind === 'inflight' || kind === 'skipped') this.deferred.add(m.messageId);
      if (kind === 'inflight' || kind === 'skipped' || kind === 'retry') this.leftByUs.add(m.messageId);
    });
  }

  /** Made visible again within seconds: wait for these (a few seconds at most) before calling the queue drained. */
  expectSoon(ids: readonly string[]): void {
    for (const id of ids) this.expectBack.set(id, Date.now() + EXPECT_BACK_MS);
  }

  /** After an empty receive of a drain: whether the queue is drained (waits a moment while this run still holds messages). */
  async isDrained(turn: Turn): Promise<boolean> {
    // Messages this run still holds may fail back onto the queue, and on FIFO they lock their groups' next messages.
    const now = Date.now();
    for (const [id, until] of this.expectBack) if (until < now) this.expectBack.delete(id);
    if (this.inHand > 0 || this.expectBack.size > 0) {
      await this.pace?.settled();
      return false;
    }
    if (turn === 'long') return true; // one whole wait brought nothing
    if (drained(await queueCounters(this.queues, this.queueUrl), this.leftByUs.size + this.heldApart())) return true;
    this.pace?.expect();
    return false;
  }
}
