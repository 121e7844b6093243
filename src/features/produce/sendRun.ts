/**
 * Sending one produce run: each input made an entry (its trace, FIFO ids, lane, large
 * payload offloaded), packed per lane, sent by `concurrency` workers through the one batch
 * send (pipeline/send.ts), and every message settled in exactly one outcome. On a FIFO
 * destination every message group stays on one lane, so per-group order survives parallelism.
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { PayloadStore } from '../../aws/payloads.js';
import type { SendEntry } from '../../aws/queue.js';
import { messageBytes } from '../../core/batching.js';
import { BatchPipe } from '../../core/batchPipe.js';
import { deliveryOf } from '../../core/delivery.js';
import { SqsopsError } from '../../core/errors.js';
import { fifoIds } from '../../core/fifoIds.js';
import { isLarge } from '../../core/payloadPointer.js';
import { redact } from '../../core/redact.js';
import type { ProducerSpan } from '../../core/tracing.js';
import { offload } from '../../pipeline/payloads.js';
import { sendBatch, type SendHooks } from '../../pipeline/send.js';
import type { Destination } from './destination.js';
import { Outcomes, type Tracked } from './outcomes.js';
import type { ProduceInput, ProduceOptions } from './produce.js';
import { traceEntry } from './traced.js';

export interface SendSetup {
  queue: Destination;
  options: ProduceOptions;
  concurrency: number;
  /** Large payloads: where bodies over the threshold go. */
  payloads?: { store: PayloadStore; bucket: string; threshold: number } | undefined;
  /** The attributes of generated events (imported ones bring their own). */
  attributes: Record<string, MessageAttributeValue> | undefined;
  dedupMode: string;
  total: number;
}

interface Entry extends SendEntry, Tracked {
  bytes: number;
  lane: number;
  span?: ProducerSpan;
}

/** The run stopped (Ctrl-C, a fatal error elsewhere) before this batch went out again. */
class Stopped extends SqsopsError {}

function laneOf(groupId: string, lanes: number): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (h * 31 + groupId.charCodeAt(i)) | 0;
  return Math.abs(h) % lanes;
}

const describe = (e: unknown) => ({ code: (e as Error)?.name || 'Error', reason: redact(e instanceof Error ? e.message : String(e)) });

export class SendRun {
  readonly outcomes = new Outcomes();
  /** Set when the run stopped early (Ctrl-C or a fatal error); the rest is settled as not sent. */
  stoppedBy: string | undefined;
  private readonly hooks: SendHooks<Entry>;

  constructor(private readonly s: SendSetup) {
    this.hooks = {
      beforeAttempt: () => {
        if (this.stopped()) throw new Stopped(this.stoppedBy!);
      },
      // The request may have been carried out (a 5xx, a reset once written): its entries may be on the queue.
      requestFailed: (pending, e) => {
        if (deliveryOf(e) === 'unknown') for (const p of pending) p.maybeDelivered = describe(e);
      },
      sent: (accepted) => {
        this.outcomes.sent += accepted.length;
        for (const e of accepted) e.span?.end();
        this.progress();
      },
      // Only a client error says for sure the entry was not stored; a server fault says nothing sure.
      retrying: (e, f) => {
        e.maybeDelivered = { code: f.code, reason: f.message || f.code };
      },
      failed: (e, code, reason) => this.settle(e, code, reason),
    };
  }

  /** Whether the run has stopped: at Ctrl-C it has, as 'interrupted'. */
  stopped(): boolean {
    if (this.s.options.signal?.aborted) this.stoppedBy ??= 'interrupted';
    return this.stoppedBy !== undefined;
  }

  progress(): void {
    const { sent, failed, unconfirmed } = this.outcomes;
    this.s.options.onProgress?.({ sent, failed: failed.length, unconfirmed: unconfirmed.length, total: this.s.total });
  }

  /** Sends every input; generation and sending overlap: workers send ready batches while more are made. */
  async sendAll(inputs: AsyncIterable<ProduceInput>): Promise<void> {
    const { queue, concurrency } = this.s;
    const pipe = new BatchPipe<Entry>(queue.fifo ? concurrency : 1, concurrency * 2, undefined, queue.maxBytes);
    const workers = Array.from({ length: concurrency }, async (_, i) => {
      for (let batch = await pipe.take(queue.fifo ? i : 0); batch; batch = await pipe.take(queue.fifo ? i : 0)) {
        await this.sendOne(batch);
      }
    });
    let seq = 0;
    for await (const input of inputs) {
      if (this.stopped()) {
        this.outcomes.settle(input, 'NotSent', `not sent: ${this.stoppedBy}`);
        continue;
      }
      const entry = await this.entryOf(input, seq++);
      if (entry && pipe.add(queue.fifo ? entry.lane : 0, entry)) await pipe.room();
    }
    pipe.close();
    await Promise.all(workers);
  }

  private settle(e: Entry, code: string, reason: string): void {
    e.span?.end(reason);
    this.outcomes.settle(e, code, reason);
  }

  /** The entry to send for an input; undefined when it is settled already (its payload not stored, too large). */
  private async entryOf(input: ProduceInput, seq: number): Promise<Entry | undefined> {
    const { queue, payloads } = this.s;
    const entry = this.toEntry(input, seq);
    if (payloads && isLarge(entry.bytes, payloads.threshold)) {
      try {
        const pointer = await offload(payloads.store, entry, { bucket: payloads.bucket, threshold: payloads.threshold });
        if (pointer) Object.assign(entry, pointer, { bytes: messageBytes(pointer.body, pointer.attributes) });
      } catch (e: unknown) {
        if (e instanceof SqsopsError) this.stoppedBy ??= e.message;
        this.settle(entry, 'PayloadNotStored', `large payload not stored in S3: ${(e as Error).message}`);
        return undefined;
      }
    }
    if (entry.bytes > queue.maxBytes) {
      this.settle(entry, 'TooLarge', `${entry.bytes} bytes is over the ${queue.maxBytes / 1024} KiB limit`);
      return undefined;
    }
    return entry;
  }

  private toEntry(input: ProduceInput, seq: number): Entry {
    const { queue, options, concurrency } = this.s;
    const entry: Entry = { id: String(seq), body: input.body, source: input.source, bytes: 0, lane: seq % concurrency };
    const traced = traceEntry(options.tracing, queue.name, input.attributes ?? this.s.attributes);
    if (traced.attributes) entry.attributes = traced.attributes;
    if (traced.span) entry.span = traced.span;
    if (queue.fifo) {
      Object.assign(entry, fifoIds(input, { groupBy: options.groupBy, dedupMode: this.s.dedupMode }));
      entry.lane = laneOf(entry.groupId!, concurrency);
    }
    entry.bytes = messageBytes(entry.body, entry.attributes);
    return entry;
  }

  /** Sends one batch; what is left when it stops is settled with the reason. */
  private async sendOne(batch: Entry[]): Promise<void> {
    if (this.stopped()) {
      for (const e of batch) this.settle(e, 'NotSent', `not sent: ${this.stoppedBy}`);
      return;
    }
    const { signal, maxAttempts = 5 } = this.s.options;
    // A user-facing error (no queue, no access) or an interrupt will not heal: it stops everything.
    const stops = (e: unknown) => e instanceof SqsopsError || Boolean(signal?.aborted);
    const { left, error } = await sendBatch((entries) => this.s.queue.send(entries), batch, this.hooks, { maxAttempts, isFatal: stops });
    if (error !== undefined && (stops(error) || this.stoppedBy)) {
      this.stoppedBy ??= signal?.aborted ? 'interrupted' : describe(error).reason;
    }
    const { code, reason } =
      error === undefined || error instanceof Stopped
        ? { code: 'NotSent', reason: `not sent: ${this.stoppedBy ?? 'attempts ran out'}` }
        : describe(error);
    for (const e of left) this.settle(e, code, reason);
    this.progress();
  }
}
