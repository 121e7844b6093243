/**
 * A lean HTTP/1.1 client for plain `http:` downloads. undici spends about a CPU
 * second per GiB on this path (every 64 KiB socket read is a fresh Buffer, copied into
 * its WASM parser, then wrapped in a stream) and the garbage lifts RSS near 200 MiB.
 * Here each connection reads into one buffer of its own (net's `onread`) and the body
 * is lent to the consumer in place: no allocation per chunk, flat memory. It does
 * what a downloader needs and no more: GET, keep-alive per origin, Content-Length,
 * chunked and close-delimited bodies, 1xx skipped, connect and idle timeouts.
 * HTTPS stays on undici: TLS sockets have no `onread`, and decryption costs more
 * than the allocations anyway.
 */
import net from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { DownloadError, toDownloadError } from './errors.js';
import type { ResponseBody } from './http.js';

/** Per connection; 256 KiB reads measured fastest here (64 KiB costs 30 % more system time per GiB). */
const READ_BUFFER = 256 * 1024;
/** Larger heads are refused (Node's own server limit is 16 KiB). */
const MAX_HEAD = 64 * 1024;
/** An unwanted body up to this size is read to its end so the connection can be reused; a longer one is cut. */
const DISCARD_LIMIT = 64 * 1024;
/** Idle connections are dropped after this, or sooner if the server's Keep-Alive says so. */
const KEEP_ALIVE_MS = 4_000;
const CHUNK_LINE_MAX = 4096;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

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

type Framing = { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };
type ChunkState = 'size' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done';
type OnChunk = (chunk: Buffer) => void | Promise<void>;

/** One response's body: its reader, and how it ended if it ended before anyone read it. */
interface Message {
  consumer?: OnChunk;
  onBody?: { resolve: () => void; reject: (e: unknown) => void };
  outcome?: { error?: unknown };
}

/** A reused connection that failed before any byte of the answer: the server had closed it. */
class StaleConnection extends Error {
  constructor(readonly original: unknown) {
    super('stale keep-alive connection');
  }
}

const protocolError = (what: string) => new DownloadError('network', `bad HTTP response (${what})`, { retryable: true });

class Connection {
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

  constructor(
    private readonly pool: H1Pool,
    readonly key: string,
    host: string,
    port: number,
    timeouts: H1Timeouts,
  ) {
    this.timeouts = timeouts;
    this.socket = net.connect({ host, port, noDelay: true, onread: { buffer: this.buf, callback: (n: number) => this.onRead(n) } });
    this.socket.setTimeout(timeouts.connectTimeoutMs);
    this.socket.once('connect', () => this.armTimer());
    this.socket.on('timeout', () => this.onTimeout());
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
    this.socket.destroy();
    this.pool.forget(this);
  }

  private armTimer(): void {
    if (this.socket.connecting || this.phase === 'closed') return;
    this.socket.setTimeout(this.phase === 'idle' ? this.keepAliveMs : this.timeouts.idleTimeoutMs);
  }

  private onRead(n: number): boolean {
    this.pos = 0;
    this.end = n;
    if (this.phase === 'head' || this.phase === 'body') this.gotBytes = true;
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
          if (!this.msg?.consumer || this.waiting) {
            // Our wait, not the server's silence: no idle timeout meanwhile.
            this.socket.setTimeout(0);
            return false;
          }
          if (!this.bodyStep()) {
            this.socket.setTimeout(0);
            return false;
          }
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
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0] ?? '');
    if (!m) throw protocolError('status line');
    const minor = Number(m[1]);
    const status = Number(m[2]);
    const headers: IncomingHttpHeaders = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      // Obsolete line folding and names with spaces are refused, as RFC 9112 allows.
      if (colon <= 0) throw protocolError('header line');
      const name = line.slice(0, colon).toLowerCase();
      if (!TOKEN.test(name)) throw protocolError('header name');
      const value = line.slice(colon + 1).trim();
      const had = headers[name];
      if (had === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
      else if (Array.isArray(had)) had.push(value);
      else if (name === 'content-length') {
        if (had !== value) throw protocolError('conflicting Content-Length');
      } else headers[name] = `${had}, ${value}`;
    }
    if (status >= 100 && status < 200) {
      // 100 Continue and 103 Early Hints precede the real answer; 101 would switch protocols, which we never ask for.
      if (status === 101) throw protocolError('unexpected 101');
      return;
    }
    const connection = String(headers.connection ?? '').toLowerCase();
    this.reusable = minor === 1 && !/\bclose\b/.test(connection);
    const hint = /\btimeout=(\d+)/i.exec(String(headers['keep-alive'] ?? ''));
    this.keepAliveMs = hint ? Math.max(0, Math.min(KEEP_ALIVE_MS, Number(hint[1]) * 1000 - 1000)) : KEEP_ALIVE_MS;
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    if (status === 204 || status === 304) this.framing = { kind: 'length', left: 0 };
    else if (te !== undefined) {
      const codings = String(te).toLowerCase().split(',');
      if (codings[codings.length - 1]!.trim() === 'chunked') {
        this.framing = { kind: 'chunked' };
        this.chunkState = 'size';
        this.chunkLine = '';
      } else this.framing = { kind: 'close' };
      // Both framings at once is a smuggling smell (RFC 9112 §6.3): this connection ends with the response.
      if (cl !== undefined) this.reusable = false;
    } else if (cl !== undefined) {
      if (!/^\d{1,15}$/.test(String(cl))) throw protocolError('Content-Length');
      this.framing = { kind: 'length', left: Number(cl) };
    } else this.framing = { kind: 'close' };
    if (this.framing.kind === 'close') this.reusable = false;
    this.phase = 'body';
    const onHead = this.onHead!;
    this.onHead = undefined;
    // The body object holds its own message: once this one ends, the connection may already carry the next.
    const msg: Message = {};
    this.msg = msg;
    onHead.resolve({ status, headers, body: { read: (onChunk) => this.read(msg, onChunk), discard: () => this.discard(msg) } });
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

  private onTimeout(): void {
    if (this.phase === 'idle' || this.phase === 'closed') {
      this.close();
      return;
    }
    const what = this.socket.connecting ? 'connect' : this.phase === 'head' ? 'response headers' : 'idle body';
    const ms = this.socket.connecting ? this.timeouts.connectTimeoutMs : this.timeouts.idleTimeoutMs;
    this.fail(new DownloadError('timeout', `${what} timeout (${ms / 1000} s)`, { retryable: true }));
  }
}

/** Connections per origin (host:port), reused one request at a time; no pipelining. */
export class H1Pool {
  private readonly idle = new Map<string, Connection[]>();
  /** Every open connection, so closing the pool leaves no socket behind, even one whose body nobody finished. */
  private readonly open = new Set<Connection>();
  closed = false;

  /** GETs `url` and resolves with the head. The caller must read or discard the body. */
  async get(url: URL, headers: Record<string, string>, timeouts: H1Timeouts): Promise<H1Response> {
    const request = requestHead(url, headers);
    const key = url.host;
    // Bounded: one retry, and only when a reused connection turned out to be closed.
    for (let attempt = 0; ; attempt++) {
      let conn = this.take(key);
      if (!conn) this.open.add((conn = new Connection(this, key, hostOf(url), Number(url.port || 80), timeouts)));
      try {
        return await conn.send(request, timeouts);
      } catch (e: unknown) {
        if (e instanceof StaleConnection) {
          if (attempt === 0) continue;
          throw toDownloadError(e.original);
        }
        throw toDownloadError(e);
      }
    }
  }

  release(conn: Connection): void {
    let list = this.idle.get(conn.key);
    if (!list) this.idle.set(conn.key, (list = []));
    list.push(conn);
  }

  forget(conn: Connection): void {
    this.open.delete(conn);
    const list = this.idle.get(conn.key);
    const i = list ? list.indexOf(conn) : -1;
    if (i >= 0) list!.splice(i, 1);
  }

  close(): void {
    this.closed = true;
    for (const c of [...this.open]) c.close();
    this.idle.clear();
  }

  private take(key: string): Connection | undefined {
    const list = this.idle.get(key);
    // Most recently used first: the one least likely to have been closed by the server.
    while (list?.length) {
      const c = list.pop()!;
      if (c.usable) return c;
      c.close();
    }
    return undefined;
  }
}

function hostOf(url: URL): string {
  // IPv6 literals come bracketed from the URL parser; net wants them bare.
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

function requestHead(url: URL, headers: Record<string, string>): string {
  let head = `GET ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const name in headers) {
    const value = headers[name]!;
    // Lists are checked on input; redirects and our own headers are checked here, so nothing can split the request.
    if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) throw new DownloadError('network', `header ${TOKEN.test(name) ? name : '?'} has characters HTTP does not allow`);
    head += `${name}: ${value}\r\n`;
  }
  return `${head}\r\n`;
}
