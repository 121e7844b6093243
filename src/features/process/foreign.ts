/**
 * Messages a worker received but must not process (ProcessSqsOptions.accept said no):
 * never claimed, never deleted, made visible again at once. One SQS rule bites on a
 * shared queue: every receive counts toward maxReceiveCount, and a message received past
 * it is moved to the DLQ by SQS. So a message within two receives of its limit is held
 * hidden instead (its visibility extended) and released when the worker stops: each
 * keeps at least two receives for its own consumer.
 */
import type { SqsQueues } from '../../aws/queue.js';
import { entryBatches } from '../../core/batching.js';
import type { ActionLog } from './log.js';
import type { InboundMessage } from '../../pipeline/inbound.js';

/** Receives a message keeps for its own consumer. */
const SPARE_RECEIVES = 2;

export class ForeignMessages {
  private readonly held = new Map<string, InboundMessage>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly queues: SqsQueues,
    private readonly url: string,
    private readonly visibilitySeconds: number,
    private readonly maxReceiveCount: number | undefined,
    private readonly log: ActionLog,
  ) {
    this.timer = setInterval(() => void this.extend(), Math.max(1000, (visibilitySeconds * 1000) / 2));
    this.timer.unref();
  }

  /** Held hidden now (a drain need not wait for them). */
  get heldCount(): number {
    return this.held.size;
  }

  /** Releases each at once, or holds it when another receive or two would send it to the DLQ. */
  async take(messages: InboundMessage[]): Promise<void> {
    const limit = this.maxReceiveCount === undefined ? Infinity : this.maxReceiveCount - SPARE_RECEIVES;
    const release = messages.filter((m) => m.receiveCount < limit);
    for (const m of messages) if (m.receiveCount >= limit) this.held.set(m.messageId, m);
    await this.setVisibility(release, 0);
    for (const m of messages) {
      const note =
        m.receiveCount < limit ? 'not accepted; visible again' : 'not accepted; held near its maxReceiveCount until the worker stops';
      this.log(m.traceId, 'foreign', 'skip', { messageId: m.messageId, note });
    }
  }

  /** Every held message visible again (the worker stops). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.setVisibility([...this.held.values()], 0);
    this.held.clear();
  }

  private async extend(): Promise<void> {
    await this.setVisibility([...this.held.values()], this.visibilitySeconds);
  }

  private async setVisibility(messages: InboundMessage[], seconds: number): Promise<void> {
    for (const batch of entryBatches(messages)) {
      const entries = batch.map((m, i) => ({ id: String(i), receiptHandle: m.receiptHandle, visibilityTimeout: seconds }));
      // Best effort: without it they come back when their visibility timeout ends.
      await this.queues.changeVisibilityBatch(this.url, entries).catch(() => undefined);
    }
  }
}
