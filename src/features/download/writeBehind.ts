/**
 * Writes a body into an open file behind the network (see WriteBehind): the disk works
 * while the next bytes arrive, and every byte is written or the write fails.
 */
import fs, { writeSync } from 'node:fs';
import { DownloadError } from './errors.js';

/** At most this much of a body waits in memory for the disk; past it the socket pauses. */
const WRITE_AHEAD_BYTES = 1024 * 1024;
/** The first bytes of a file are written at once: for a small file a trip to the thread pool costs more than the write. */
const WRITE_NOW_BYTES = 64 * 1024;

function writeAll(fd: number, chunk: Buffer): void {
  // Bounded: every turn writes at least one byte or throws.
  for (let off = 0; off < chunk.length; ) {
    const n = writeSync(fd, chunk, off, chunk.length - off);
    if (n <= 0) throw new DownloadError('write', 'cannot write the file (no progress)');
    off += n;
  }
}

/** Writes every byte of `chunks` at the file's position (a short writev is continued, not lost). */
async function writevAll(fd: number, chunks: Buffer[]): Promise<void> {
  let rest = chunks;
  // Bounded: every turn writes at least one byte or throws.
  while (rest.length) {
    const n = await new Promise<number>((ok, fail) => fs.writev(fd, rest, (e, written) => (e ? fail(e) : ok(written))));
    if (n <= 0) throw new DownloadError('write', 'cannot write the file (no progress)');
    let skip = n;
    while (rest.length && skip >= rest[0]!.length) skip -= rest.shift()!.length;
    if (skip > 0) rest = [rest[0]!.subarray(skip), ...rest.slice(1)];
  }
}

/**
 * Writes behind the network: chunks queue while one writev runs in the thread pool, so the main thread parses
 * the next bytes while the kernel copies the last ones (a large file spent a third of its main-thread time in
 * write(2) when it was synchronous, bench/download.mjs). Past WRITE_AHEAD_BYTES queued, the socket waits.
 * undici hands each chunk as a view of a buffer it allocated for that socket read and never reuses, so holding
 * a chunk until its write is done is safe (the downloader tests check every byte of every file).
 */
export class WriteBehind {
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  private running: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  private written = 0;

  constructor(private readonly fd: number) {}

  /** Queues a chunk; a promise back means "too much is queued: wait" (the socket pauses meanwhile). */
  write(chunk: Buffer): undefined | Promise<void> {
    if (this.failure) throw this.failure.error;
    this.written += chunk.length;
    if (!this.running && this.written <= WRITE_NOW_BYTES) {
      writeAll(this.fd, chunk);
      return undefined;
    }
    this.queued.push(chunk);
    this.queuedBytes += chunk.length;
    if (!this.running) this.start();
    return this.queuedBytes >= WRITE_AHEAD_BYTES ? this.running?.then(() => this.check()) : undefined;
  }

  /** Resolves when every queued byte is written; rejects with the first write error. */
  async drained(): Promise<void> {
    // Bounded: each running write either empties the queue or starts the next with what queued meanwhile.
    while (this.running) await this.running;
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure.error;
  }

  private start(): void {
    const chunks = this.queued;
    this.queued = [];
    this.queuedBytes = 0;
    this.running = writevAll(this.fd, chunks).then(
      () => {
        this.running = undefined;
        if (this.queued.length) this.start();
      },
      (error: unknown) => {
        this.failure = { error };
        this.queued = [];
        this.running = undefined;
      },
    );
  }
}
