/**
 * Keeps a batch that is still being worked on hidden and its claims held: every half
 * visibility timeout (at least a second) its messages' visibility is set to a whole timeout
 * again, and the ledger lease of each key the batch claimed so far is extended. Best effort:
 * a missed beat only lets a message come back early, where the ledger sees it as in flight.
 */
import type { Ledger } from '../../aws/ledger.js';
import type { SqsQueues } from '../../aws/queue.js';
import type { InboundMessage } from '../../pipeline/inbound.js';

export interface HeartbeatTarget {
  queues: SqsQueues;
  queueUrl: string;
  visibilitySeconds: number;
  /** Undefined: no ledger, no leases to extend. */
  ledger?: Ledger | undefined;
  consumer: string;
  owner: string;
  leaseMs: number;
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  /** `claimedKeys` grows while the batch runs: each beat extends the keys claimed by then. */
  constructor(
    private readonly target: HeartbeatTarget,
    private readonly messages: readonly InboundMessage[],
    private readonly claimedKeys: ReadonlySet<string>,
  ) {}

  get intervalMs(): number {
    return Math.max(1000, (this.target.visibilitySeconds * 1000) / 2);
  }

  start(): this {
    this.timer ??= setInterval(() => this.beat(), this.intervalMs);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private beat(): void {
    const { queues, queueUrl, visibilitySeconds, ledger, consumer, owner, leaseMs } = this.target;
    const entries = this.messages.map((m, i) => ({ id: String(i), receiptHandle: m.receiptHandle, visibilityTimeout: visibilitySeconds }));
    void queues.changeVisibilityBatch(queueUrl, entries).catch(() => undefined);
    if (!ledger) return;
    for (const key of this.claimedKeys) void ledger.extend({ consumer, key }, owner, leaseMs).catch(() => false);
  }
}
