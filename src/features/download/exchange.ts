/**
 * One GET on undici's lowest-cost API: a dispatch handler that resolves with the head
 * and then hands each body chunk straight to its reader (the disk writer), with no
 * stream wrapped around it. undici's `request()` puts every chunk through a Readable
 * and an async iterator; here a chunk costs one call. The socket is paused while the
 * reader is busy or not there yet (undici stops its body timer while paused, so a slow
 * disk is never taken for a silent server).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { DownloadError } from './errors.js';

/** An unwanted body up to this size is read to its end so the connection is reused; a longer one is cut. */
const DISCARD_LIMIT = 64 * 1024;

type OnChunk = (chunk: Buffer) => void | Promise<void>;

/**
 * A response body, pulled by its consumer. A chunk is the consumer's to read while
 * `onChunk` runs (or until the promise it returned settles); keep a copy to keep it.
 */
export interface ResponseBody {
  /** Resolves at the end of the body; rejects on a network error, a timeout, or the consumer's own error. */
  read(onChunk: OnChunk): Promise<void>;
  /** Drops the body: a short one is read to its end so the connection is reused, a long one is cut. Never throws. */
  discard(): void;
}

export interface ResponseHead {
  status: number;
  headers: IncomingHttpHeaders;
  body: ResponseBody;
}

export class Exchange implements Dispatcher.DispatchHandler, ResponseBody {
  private controller: Dispatcher.DispatchController | undefined;
  private head: { resolve: (h: ResponseHead) => void; reject: (e: unknown) => void } | undefined;
  private headers: IncomingHttpHeaders = {};
  private consumer: OnChunk | undefined;
  /** Chunks that came before the reader did, or while it was busy. */
  private queue: Buffer[] = [];
  private busy = false;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private done: { resolve: () => void; reject: (e: unknown) => void } | undefined;

  /** The head, once it comes; the body then waits, paused, for `read` or `discard`. */
  readonly response = new Promise<ResponseHead>((resolve, reject) => (this.head = { resolve, reject }));

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    // 100 Continue and 103 Early Hints only precede the real answer.
    if (status < 200) return;
    this.headers = headers;
    controller.pause();
    const head = this.head;
    this.head = undefined;
    head?.resolve({ status, headers, body: this });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    // A parser resumed mid-body first reports an empty span; pausing on it again would never move on.
    if (chunk.length === 0) return;
    if (!this.consumer || this.busy || this.queue.length) {
      this.queue.push(chunk);
      controller.pause();
      return;
    }
    this.deliver(chunk);
  }

  onResponseEnd(): void {
    this.ended = true;
    if (this.consumer && !this.busy && !this.queue.length) this.settle();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.head) {
      const head = this.head;
      this.head = undefined;
      head.reject(error);
      return;
    }
    this.failure ??= { error };
    this.queue = [];
    this.settle();
  }

  read(onChunk: OnChunk): Promise<void> {
    if (this.consumer) return Promise.reject(new Error('a body can be read once'));
    this.consumer = onChunk;
    const done = new Promise<void>((resolve, reject) => (this.done = { resolve, reject }));
    this.drain();
    return done;
  }

  discard(): void {
    if (this.consumer) return;
    const length = Number([this.headers['content-length']].flat()[0] ?? NaN);
    if (length <= DISCARD_LIMIT && !this.failure) void this.read(() => undefined).catch(() => undefined);
    else {
      this.consumer = () => undefined;
      this.controller?.abort(new DownloadError('aborted', 'body discarded'));
    }
  }

  /** Gives the reader one chunk; a promise back means "wait for me", so the socket pauses. */
  private deliver(chunk: Buffer): void {
    let r: void | Promise<void>;
    try {
      r = this.consumer!(chunk);
    } catch (e: unknown) {
      this.fail(e);
      return;
    }
    if (!r) return;
    this.busy = true;
    this.controller?.pause();
    r.then(
      () => {
        this.busy = false;
        this.drain();
      },
      (e: unknown) => this.fail(e),
    );
  }

  /** Hands over what waited, then lets the socket go on (or ends, if the body already did). */
  private drain(): void {
    // Bounded by the queue: each turn removes a chunk.
    while (this.queue.length && !this.busy && !this.failure) this.deliver(this.queue.shift()!);
    if (this.busy) return;
    if (this.failure || this.ended) {
      this.settle();
      return;
    }
    this.controller?.resume();
  }

  /** The reader's own failure (a write error): the rest of the body is cut. */
  private fail(e: unknown): void {
    this.failure ??= { error: e };
    this.queue = [];
    this.controller?.abort(e instanceof Error ? e : new Error(String(e)));
    this.settle();
  }

  private settle(): void {
    const done = this.done;
    if (!done || (!this.failure && !this.ended)) return;
    this.done = undefined;
    if (this.failure) done.reject(this.failure.error);
    else done.resolve();
  }
}
