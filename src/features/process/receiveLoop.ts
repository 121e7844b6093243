/**
 * process-sqs's pollers: each receives up to 10 messages (long polling), runs them through
 * the pipeline under a heartbeat, and acknowledges them while it receives the next batch.
 * Stopping (the signal, `count`, an error, or `drain` on an empty queue) stops receiving;
 * what is in flight is finished and acknowledged. The first error stops every poller; the
 * others finish what they hold, so the result adds up.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { QueueRef, SqsQueues } from '../../aws/queue.js';
import type { DrainPace, Turn } from '../../core/drain.js';
import type { Metrics } from '../../core/metrics.js';
import { fromSqsMessage, INBOUND_SYSTEM_ATTRIBUTES, type InboundMessage } from '../../pipeline/inbound.js';
import { acknowledge } from './ack.js';
import type { Pipeline } from './assemble.js';
import type { Autoscaler } from './autoscaler.js';
import { DrainEnd } from './drainEnd.js';
import { ForeignMessages } from './foreign.js';
import { Heartbeat } from './heartbeat.js';
import type { ActionLog } from './log.js';
import { settle, startTiming } from './observe.js';
import { countOutcomes, processBatch } from './processBatch.js';
import type { ProcessSqsOptions } from './runner.js';
import type { RunStop } from './runStop.js';
import type { Outcome, PipelineConfig } from './types.js';
import { PROCESS_DEFAULTS } from '../../config.js';

export interface LoopParts {
  pipeline: Pipeline;
  config: PipelineConfig;
  queue: QueueRef;
  visibilitySeconds: number;
  /** Receives only: cut by the stop (see runStop.ts). */
  receiver: SqsQueues;
  stop: RunStop;
  metrics: Metrics;
  log: ActionLog;
}

type LoopOptions = Pick<ProcessSqsOptions, 'count' | 'drain' | 'waitSeconds' | 'accept' | 'signal' | 'onProgress' | 'observer' | 'stages'>;

export class ReceiveLoop {
  handled = 0;
  receives = 0;
  /** Why the first retried message was retried. */
  retryReason: string | undefined;
  /** The first error a poller died of. */
  failure: { error: unknown } | undefined;
  scaler: Autoscaler | undefined;
  readonly drainEnd: DrainEnd;
  readonly foreign: ForeignMessages | undefined;
  private inFlightCount = 0;
  private reserved = 0;
  /** The ledger keys each running batch holds a lease on. */
  private readonly held = new Set<Set<string>>();

  constructor(
    readonly parts: LoopParts,
    private readonly options: LoopOptions,
    private readonly pace: DrainPace | undefined,
  ) {
    const { pipeline, queue, visibilitySeconds, log } = parts;
    // Not ours to process: never claimed, never deleted, visible again (see foreign.ts).
    this.foreign = options.accept
      ? new ForeignMessages(pipeline.queues, queue.url, visibilitySeconds, queue.maxReceiveCount, log)
      : undefined;
    this.drainEnd = new DrainEnd(pipeline.queues, queue.url, this.pace, () => this.foreign?.heldCount ?? 0);
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  get leases(): number {
    return [...this.held].reduce((n, keys) => n + keys.size, 0);
  }

  /** One poller; an error stops the run and is kept for the result. */
  readonly poller = (leave: () => boolean): Promise<void> =>
    this.poll(leave).catch((e: unknown) => {
      this.failure ??= { error: e };
      this.parts.stop.stopAndCut();
    });

  private async poll(leave: () => boolean): Promise<void> {
    // One acknowledgement may be in flight while the next batch is received: the delete
    // round trip no longer stalls the poller (it is awaited before the next ack and at the end).
    let pendingAck: Promise<void> | undefined;
    const { stop } = this.parts;
    while (!stop.stopped && !leave()) {
      const want = this.options.count === undefined ? 10 : Math.min(10, this.options.count - this.reserved);
      if (want <= 0) break;
      const turn: Turn = this.pace ? await this.pace.turn() : 'long';
      if (turn === 'stop' || stop.stopped) {
        this.pace?.received(turn, 0);
        break;
      }
      const receiveStart = performance.now();
      const received = await this.receive(want, turn);
      if (received === undefined) break;
      // Told in the same turn as the drain check below: a poller it wakes must not start a receive first.
      this.pace?.received(turn, received.length);
      this.scaler?.received(want, received);
      if (received.length === 0) {
        if (this.options.drain && (await this.drainEnd.isDrained(turn))) stop.stopAndCut();
        continue;
      }
      const batch = await this.ours(received);
      if (batch.length === 0) continue;
      startTiming(batch, this.options.stages, { start: receiveStart });
      if (this.options.signal?.aborted) {
        // A receive that returned after the stop: not started, so handed back at once for
        // another worker (rather than hidden for a visibility timeout), and counted deferred.
        await this.handBack(batch);
        continue;
      }
      pendingAck = (await this.run(batch, pendingAck)).ack;
    }
    await pendingAck;
  }

  /** One receive of up to `want` messages (the pace is told by the caller); undefined: cut by the stop. */
  private async receive(want: number, turn: Turn): Promise<Message[] | undefined> {
    this.reserved += want;
    this.receives++;
    let received: Message[];
    try {
      const waitSeconds = turn === 'short' ? 0 : (this.options.waitSeconds ?? Number(PROCESS_DEFAULTS.waitSeconds));
      received = await this.parts.receiver.receive(this.parts.queue.url, {
        max: want,
        waitSeconds,
        systemAttributes: INBOUND_SYSTEM_ATTRIBUTES,
      });
    } catch (e: unknown) {
      this.reserved -= want;
      this.pace?.received(turn, 0);
      if (this.parts.stop.receives.signal.aborted) return undefined;
      throw e;
    }
    this.reserved -= want - received.length;
    this.drainEnd.inHand += received.length;
    return received;
  }

  /** The received messages this run processes; the others are let go untouched (see foreign.ts). */
  private async ours(received: Message[]): Promise<InboundMessage[]> {
    this.drainEnd.received(received, this.parts.metrics);
    const all = received.map(fromSqsMessage);
    const accept = this.options.accept;
    const batch = accept ? all.filter(accept) : all;
    if (batch.length < all.length) {
      const others = all.filter((m) => !batch.includes(m));
      this.reserved -= others.length;
      await this.foreign?.take(others);
      this.drainEnd.inHand -= others.length;
    }
    return batch;
  }

  /** Runs a batch under a heartbeat; returns its acknowledgement, still running. */
  private async run(batch: InboundMessage[], pendingAck: Promise<void> | undefined): Promise<{ ack: Promise<void> }> {
    const { config, metrics } = this.parts;
    this.inFlightCount += batch.length;
    const receivedAt = performance.now();
    const claimedKeys = new Set<string>();
    this.held.add(claimedKeys);
    const heartbeat = new Heartbeat(this.heartbeatTarget(), batch, claimedKeys).start();
    const done = () => {
      heartbeat.stop();
      this.inFlightCount -= batch.length;
      this.held.delete(claimedKeys);
      this.drainEnd.inHand -= batch.length;
      this.pace?.wake();
    };
    let outcomes: Outcome[];
    try {
      outcomes = await processBatch(batch, config, claimedKeys).catch((e: unknown) => {
        // Not handed over: the batch stays on the queue and comes back after its visibility timeout.
        countOutcomes(
          batch.map(() => ({ kind: 'retry' as const, reason: 'the run stopped on an error' })),
          metrics,
        );
        throw e;
      });
      await pendingAck;
      this.retryReason ??= outcomes.find((o) => o.kind === 'retry')?.reason;
      this.drainEnd.left(batch, outcomes);
    } catch (e: unknown) {
      done();
      throw e;
    }
    return { ack: this.acknowledge(batch, outcomes, receivedAt).finally(done) };
  }

  private heartbeatTarget() {
    const { pipeline, queue, visibilitySeconds, config } = this.parts;
    const { consumer, owner, leaseMs } = config;
    return { queues: pipeline.queues, queueUrl: queue.url, visibilitySeconds, ledger: pipeline.ledger, consumer, owner, leaseMs };
  }

  private async acknowledge(batch: InboundMessage[], outcomes: Outcome[], receivedAt: number): Promise<void> {
    const { pipeline, queue, metrics } = this.parts;
    const ack = await acknowledge(batch, outcomes, pipeline.ackTarget(queue, metrics));
    this.drainEnd.expectSoon(ack.soon);
    settle(batch, outcomes, queue.name, this.options.stages);
    this.handled += batch.length;
    this.options.observer?.acknowledged?.(batch.length, (performance.now() - receivedAt) / 1000);
    this.options.onProgress?.(metrics);
    if (this.options.count !== undefined && this.handled >= this.options.count) this.parts.stop.stop();
  }

  /** Received as the run stopped: counted deferred and made visible again at once. */
  private async handBack(batch: InboundMessage[]): Promise<void> {
    const { pipeline, queue, metrics, log } = this.parts;
    const outcomes: Outcome[] = batch.map(() => ({ kind: 'skipped', reason: 'received as the run stopped' }));
    countOutcomes(outcomes, metrics);
    this.reserved -= batch.length;
    this.drainEnd.inHand -= batch.length;
    try {
      const entries = batch.map((m, i) => ({ id: String(i), receiptHandle: m.receiptHandle, visibilityTimeout: 0 }));
      await pipeline.queues.changeVisibilityBatch(queue.url, entries);
    } catch {
      // Best effort: without it they come back when their visibility timeout ends.
    }
    for (const m of batch) log(m.traceId, 'stop', 'skip', { note: 'received as the run stopped; visible again' });
    this.options.onProgress?.(metrics);
  }
}
