/**
 * Turns a stream of sized entries into ready batches (at most 10 entries and at most
 * the request byte cap, in order) on one or more lanes, with backpressure. Each lane's
 * batches are taken in order by the workers that serve it: one lane shared by every
 * worker for a standard queue, one lane per worker for FIFO (per-group order).
 */
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { BatchPacker, MAX_BATCH_ENTRIES, MAX_REQUEST_BYTES, type Sized } from './batching.js';

export class BatchPipe<T extends Sized> {
  /** One packer per lane: the same cut as every other batch call (core/batching). */
  private readonly open: BatchPacker<T>[];
  private readonly ready: T[][][];
  private readonly takers: ((batch: T[] | undefined) => void)[][];
  private queued = 0;
  private closed = false;
  private roomWaiter: (() => void) | undefined;

  constructor(
    lanes: number,
    private readonly maxQueued: number,
    maxEntries = MAX_BATCH_ENTRIES,
    maxBytes = MAX_REQUEST_BYTES,
  ) {
    this.open = Array.from({ length: lanes }, () => new BatchPacker<T>({ maxEntries, maxBytes }));
    this.ready = Array.from({ length: lanes }, () => []);
    this.takers = Array.from({ length: lanes }, () => []);
  }

  /** Adds an entry; returns true when a batch was completed (the caller should await room()). */
  add(lane: number, entry: T): boolean {
    const closed = this.open[lane]!.add(entry);
    if (closed) this.push(lane, closed);
    return closed !== undefined;
  }

  /**
   * Resolves when there is room for more batches. Always yields to the event loop
   * once, so generating entries (synchronous work) never starves the sockets.
   */
  async room(): Promise<void> {
    await yieldToIo();
    while (this.queued >= this.maxQueued) await new Promise<void>((resolve) => (this.roomWaiter = resolve));
  }

  /** No more entries: the open batches become ready and idle workers are released. */
  close(): void {
    this.open.forEach((packer, lane) => {
      const last = packer.flush();
      if (last) this.push(lane, last);
    });
    this.closed = true;
    for (const waiting of this.takers) for (const t of waiting.splice(0)) t(undefined);
  }

  /** The next batch of a lane, or undefined once the pipe is closed and drained. */
  take(lane: number): Promise<T[] | undefined> {
    const batch = this.ready[lane]!.shift();
    if (batch) {
      this.queued--;
      this.wakeProducer();
      return Promise.resolve(batch);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.takers[lane]!.push(resolve));
  }

  private push(lane: number, batch: T[]): void {
    const taker = this.takers[lane]!.shift();
    if (taker) taker(batch);
    else {
      this.ready[lane]!.push(batch);
      this.queued++;
    }
  }

  private wakeProducer(): void {
    if (this.queued < this.maxQueued && this.roomWaiter) {
      const wake = this.roomWaiter;
      this.roomWaiter = undefined;
      wake();
    }
  }
}
