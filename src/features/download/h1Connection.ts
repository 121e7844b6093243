/**
 * One keep-alive HTTP/1.1 connection: it sends a GET, parses the answer's head, and
 * lends the body to its reader straight from the connection's own read buffer (net's
 * `onread`), stopping the socket while the reader is busy. See h1.ts for why.
 */
import net from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { DownloadError } from './errors.js';
import { KEEP_ALIVE_MS, parseResponseHead, protocolError, type Framing } from './h1Head.js';
import type { ResponseBody } from './http.js';

/** Per connection; 256 KiB reads measured fastest here (64 KiB costs 30 % more system time per GiB). */
const READ_BUFFER = 256 * 1024;
/** Larger heads are refused (Node's own server limit is 16 KiB). */
const MAX_HEAD = 64 * 1024;
/** An unwanted body up to this size is read to its end so the connection can be reused; a longer one is cut. */
const DISCARD_LIMIT = 64 * 1024;
const CHUNK_LINE_MAX = 4096;

export interface H1Timeouts {
  connectTimeoutMs: number;
  /** Longest silence while waiting for the head or between body bytes. */
  idleTimeoutMs: number;
}

export interface H1Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: ResponseBody;
}

type ChunkState = 'size' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done';
type OnChunk = (chunk: Buffer) => void | Promise<void>;

/** One response's body: its reader, and how it ended if it ended before anyone read it. */
interface Message {
  consumer?: OnChunk;
  onBody?: { resolve: () => void; reject: (e: unknown) => void };
  outcome?: { error?: unknown };
}

/** A reused connection that failed before any byte of the answer: the server had closed it. */
export class StaleConnection extends Error {
  constructor(readonly original: unknown) {
    super('stale keep-alive connection');
  }
}

/** What a connection needs from its pool. */
export interface ConnectionOwner {
  readonly closed: boolean;
  /** Back to the idle list, for the next request to the same origin. */
  release(conn: Connection): void;
  /** Closed: drop it from every list. */
  forget(conn: Connection): void;
}

export class Connection {
  readonly socket: net.Socket;
  private readonly buf = Buffer.allocUnsafe(READ_BUFFER);
  private phase: 'head' | 'body' | 'idle' | 'closed' = 'idle';
  /** Unprocessed bytes of `buf`: [pos, end). They stay valid while reading is stopped. */
  private pos = 0;
  private end = 0;
  private uses = 0;
  private gotBytes = false;
  private reusable = true;
  private keepAliveMs = KEEP_ALIVE_MS;
  private timeouts: H1Timeouts;
  private headParts: Buffer[] = [];
  private headBytes = 0;
  private onHead: { resolve: (r: H1Response) => void; reject: (e: unknown) => void } | undefined;
  private framing: Framing = { kind: 'close' };
  private chunkState: ChunkState = 'size';
  private chunkLeft = 0;
  private chunkLine = '';
  private msg: Message | undefined;
  private waiting = false;
  /**
   * Our own timers, each made once and then refreshed: net's `setTimeout` makes a new
   * timer (and a bound callback) on every call, and a request needs three changes (send,
   * a pause for the reader, back to idle): 6,000 timers for 2,000 small files.
   */
  private silence: { timer: NodeJS.Timeout; ms: number } | undefined;
  private keepAlive: { timer: NodeJS.Timeout; ms: number } | undefined;

  constructor(
    private readonly pool: ConnectionOwner,
    readonly key: string,
    host: string,
    port: number,
    timeouts: H1Timeouts,
  ) {
    this.timeouts = timeouts;
    this.socket = net.connect({ host, port, noDelay: true, onread: { buffer: this.buf, callback: (n: number) => this.onRead(n) } });
    // net's timer for the connect only; from then on our own (see `silence`).
    this.socket.setTimeout(timeouts.connectTimeoutMs);
    this.socket.once('connect', () => {
      this.socket.setTimeout(0);
      this.armTimer();
    });
    this.socket.on('timeout', () => this.onConnectTimeout());
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('end', () => this.onEof());
    this.socket.on('close', () => this.onEof());
  }

  get usable(): boolean {
    return this.phase === 'idle' && !this.socket.destroyed && !this.socket.readableEnded;
  }

  /** Sends one GET and resolves with the head; the body follows through `body.read`. */
  send(request: string, timeouts: H1Timeouts): Promise<H1Response> {
    this.uses++;
    this.timeouts = timeouts;
    this.phase = 'head';
    this.gotBytes = false;
    this.reusable = true;
    this.headParts = [];
    this.headBytes = 0;
    this.msg = undefined;
    this.waiting = false;
    this.armTimer();
    return new Promise<H1Response>((resolve, reject) => {
      this.onHead = { resolve, reject };
      this.socket.write(request, 'latin1');
    });
  }

  close(): void {
    this.phase = 'closed';
    clearTimeout(this.silence?.timer);
    clearTimeout(this.keepAlive?.timer);
    this.socket.destroy();
    this.pool.forget(this);
  }

  /** Starts the timer the phase needs from now: the keep-alive when idle, else the server's silence. */
  private armTimer(): void {
    if (this.socket.connecting || this.phase === 'closed') return;
    if (this.phase === 'idle') this.keepAlive = this.restart(this.keepAlive, this.keepAliveMs, () => this.onKeepAliveTimeout());
    else this.silence = this.restart(this.silence, this.timeouts.idleTimeoutMs, () => this.onSilence());
  }

  /** A timer that fires `ms` from now: the same one refreshed when its length is unchanged. Unref'd: it holds no process open. */
  private restart(t: { timer: NodeJS.Timeout; ms: number } | undefined, ms: number, fire: () => void): { timer: NodeJS.Timeout; ms: number } {
    if (t?.ms === ms) {
      t.timer.refresh();
      return t;
    }
    clearTimeout(t?.timer);
    return { timer: setTimeout(fire, ms).unref(), ms };
  }

  private onRead(n: number): boolean {
    this.pos = 0;
    this.end = n;
    if (this.phase === 'head' || this.phase === 'body') {
      this.gotBytes = true;
      // The server spoke: its silence counts from now.
      this.silence?.timer.refresh();
    }
    return this.pump();
  }

  /** Works through [pos, end); false means "stop reading until the consumer catches up". */
  private pump(): boolean {
    try {
      for (;;) {
        if (this.phase === 'head') {
          if (this.pos >= this.end) return true;
          this.readHead();
          continue;
        }
        if (this.phase === 'body') {
          if (this.bodyComplete()) {
            this.finishBody();
            continue;
          }
          if (this.pos >= this.end) return true;
          // Our wait, not the server's silence: the timer ignores it (`readerBusy`) and restarts when reading does.
          if (this.readerBusy) return false;
          if (!this.bodyStep()) return false;
          continue;
        }
        if (this.phase === 'closed') return false;
        // Idle: nothing was asked, so nothing may arrive.
        if (this.pos < this.end) throw protocolError('bytes after the end of the response');
        return true;
      }
    } catch (e: unknown) {
      this.fail(e);
      return false;
    }
  }

  private readHead(): void {
    const view = this.buf.subarray(this.pos, this.end);
    let at: number;
    let head: Buffer;
    if (this.headBytes === 0) {
      at = view.indexOf('\r\n\r\n');
      if (at >= 0) {
        head = view.subarray(0, at);
        this.pos += at + 4;
      } else head = view;
    } else {
      // A head split across reads: rare, so simply joined and searched again.
      const joined = Buffer.concat([...this.headParts, view]);
      at = joined.indexOf('\r\n\r\n');
      head = at >= 0 ? joined.subarray(0, at) : joined;
      if (at >= 0) this.pos += at + 4 - this.headBytes;
    }
    if (at < 0) {
      this.headParts.push(Buffer.from(view));
      this.headBytes += view.length;
      this.pos = this.end;
      if (this.headBytes > MAX_HEAD) throw protocolError('head larger than 64 KiB');
      return;
    }
    this.headParts = [];
    this.headBytes = 0;
    if (head.length > MAX_HEAD) throw protocolError('head larger than 64 KiB');
    this.onHeadParsed(head.toString('latin1'));
  }

  private onHeadParsed(text: string): void {
    const head = parseResponseHead(text);
    if (!head) return;
    this.framing = head.framing;
    this.chunkState = 'size';
    this.chunkLine = '';
    this.reusable = head.reusable;
    this.keepAliveMs = head.keepAliveMs;
    this.phase = 'body';
    const onHead = this.onHead!;
    this.onHead = undefined;
    // The body object holds its own message: once this one ends, the connection may already carry the next.
    const msg: Message = {};
    this.msg = msg;
    onHead.resolve({ status: head.status, headers: head.headers, body: { read: (onChunk) => this.read(msg, onChunk), discard: () => this.discard(msg) } });
  }

  private bodyComplete(): boolean {
    const f = this.framing;
    return f.kind === 'length' ? f.left === 0 : f.kind === 'chunked' ? this.chunkState === 'done' : false;
  }

  /** Hands the consumer the next piece of body; false when it returned a promise (we wait for it). */
  private bodyStep(): boolean {
    const f = this.framing;
    if (f.kind === 'length') {
      const n = Math.min(f.left, this.end - this.pos);
      f.left -= n;
      return this.deliver(n);
    }
    if (f.kind === 'close') return this.deliver(this.end - this.pos);
    return this.chunkedStep();
  }

  private chunkedStep(): boolean {
    const b = this.buf;
    switch (this.chunkState) {
      case 'size':
      case 'trailer': {
        const lf = b.subarray(this.pos, this.end).indexOf(10);
        const stop = lf >= 0 ? this.pos + lf : this.end;
        this.chunkLine += b.toString('latin1', this.pos, stop);
        this.pos = stop;
        if (this.chunkLine.length > CHUNK_LINE_MAX) throw protocolError('chunk line too long');
        if (stop === this.end) return true;
        this.pos++;
        const line = this.chunkLine.endsWith('\r') ? this.chunkLine.slice(0, -1) : this.chunkLine;
        this.chunkLine = '';
        if (this.chunkState === 'trailer') {
          if (line === '') this.chunkState = 'done';
          return true;
        }
        const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line);
        if (!size) throw protocolError('chunk size');
        this.chunkLeft = parseInt(size[1]!, 16);
        this.chunkState = this.chunkLeft === 0 ? 'trailer' : 'data';
        return true;
      }
      case 'data': {
        const n = Math.min(this.chunkLeft, this.end - this.pos);
        this.chunkLeft -= n;
        if (this.chunkLeft === 0) this.chunkState = 'data-cr';
        return this.deliver(n);
      }
      case 'data-cr':
      case 'data-lf': {
        const want = this.chunkState === 'data-cr' ? 13 : 10;
        if (b[this.pos] !== want) throw protocolError('chunk end');
        this.pos++;
        this.chunkState = this.chunkState === 'data-cr' ? 'data-lf' : 'size';
        return true;
      }
      default:
        return true;
    }
  }

  private deliver(n: number): boolean {
    const chunk = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    if (n === 0) return true;
    let r: void | Promise<void>;
    try {
      r = this.msg!.consumer!(chunk);
    } catch (e: unknown) {
      // The consumer's own failure (a write error): the connection cannot be trusted mid-body.
      this.failBody(e);
      return false;
    }
    if (!r) return true;
    this.waiting = true;
    r.then(
      () => {
        this.waiting = false;
        this.resumeWork();
      },
      (e: unknown) => this.failBody(e),
    );
    return false;
  }

  private read(msg: Message, onChunk: OnChunk): Promise<void> {
    if (msg.outcome) return msg.outcome.error === undefined ? Promise.resolve() : Promise.reject(msg.outcome.error);
    if (msg.consumer || msg !== this.msg) return Promise.reject(new Error('a body can be read once'));
    return new Promise<void>((resolve, reject) => {
      msg.onBody = { resolve, reject };
      msg.consumer = onChunk;
      this.resumeWork();
    });
  }

  private discard(msg: Message): void {
    if (msg.outcome || msg.consumer || msg !== this.msg) return;
    const f = this.framing;
    if (f.kind === 'length' && f.left <= DISCARD_LIMIT) void this.read(msg, () => undefined).catch(() => undefined);
    else this.failBody(new DownloadError('aborted', 'body discarded'));
  }

  /** Continues after the consumer arrived or caught up; restarts reading if every held byte is used. */
  private resumeWork(): void {
    if (this.phase === 'closed') return;
    const more = this.pump();
    if (this.socket.destroyed) return;
    if (more) {
      this.armTimer();
      this.socket.resume();
    } else this.socket.pause();
  }

  private finishBody(): void {
    const msg = this.msg;
    this.msg = undefined;
    if (msg && !msg.onBody) msg.outcome = {};
    // Bytes past the end mean the server and we disagree about framing: never reuse that.
    if (this.reusable && this.pos === this.end && !this.pool.closed) {
      this.phase = 'idle';
      this.armTimer();
      this.pool.release(this);
    } else this.close();
    msg?.onBody?.resolve();
  }

  private failBody(e: unknown): void {
    const msg = this.msg;
    this.msg = undefined;
    if (msg && !msg.onBody) msg.outcome = { error: e };
    this.close();
    msg?.onBody?.reject(e);
  }

  /** A socket error, a timeout, or a close at the wrong time. */
  private fail(e: unknown): void {
    const phase = this.phase;
    this.close();
    if (phase === 'head' && this.onHead) {
      const onHead = this.onHead;
      this.onHead = undefined;
      onHead.reject(this.uses > 1 && !this.gotBytes ? new StaleConnection(e) : e);
    } else if (phase === 'body') this.failBody(e);
  }

  private onEof(): void {
    if (this.phase === 'closed') return;
    if (this.phase === 'idle') {
      this.close();
      return;
    }
    if (this.phase === 'body' && this.framing.kind === 'close' && this.pos === this.end) {
      // The end of a close-delimited body is the end of the connection.
      this.finishBody();
      return;
    }
    this.fail(new DownloadError('network', `network error (connection closed ${this.phase === 'head' ? 'before the response' : 'mid-body'})`, { retryable: true }));
  }

  /** Waiting for the reader of the body (to come, or to finish with a chunk), not for the server. */
  private get readerBusy(): boolean {
    return !this.msg?.consumer || this.waiting;
  }

  /** net's timer, armed only while connecting. */
  private onConnectTimeout(): void {
    if (this.phase === 'closed' || !this.socket.connecting) return;
    if (this.phase === 'idle') return this.close();
    this.fail(new DownloadError('timeout', `connect timeout (${this.timeouts.connectTimeoutMs / 1000} s)`, { retryable: true }));
  }

  private onKeepAliveTimeout(): void {
    if (this.phase === 'idle') this.close();
  }

  private onSilence(): void {
    // Timers are refreshed, never cancelled, as phases change: in another phase, or while our reader is busy, this one says nothing.
    if (this.phase !== 'head' && (this.phase !== 'body' || this.readerBusy)) return;
    const what = this.phase === 'head' ? 'response headers' : 'idle body';
    this.fail(new DownloadError('timeout', `${what} timeout (${this.timeouts.idleTimeoutMs / 1000} s)`, { retryable: true }));
  }
}

