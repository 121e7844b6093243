/**
 * A misbehaving file server for the downloader's tests and bench, on 127.0.0.1 port 0.
 * Bodies are generated from (size, seed), never stored, so large files cost nothing
 * to commit. Each route fails in one way, `times` times per key, then behaves.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

const BLOCK = 64 * 1024;

/** The deterministic block a seed repeats; byte i of a body is block[i % BLOCK] ^ (i / BLOCK). */
function blockFor(seed: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < BLOCK; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** Salted blocks per seed, made on first use: serving then costs no CPU (the bench measures clients, not us). */
const blocks = new Map<number, Buffer[]>();
function saltedBlock(seed: number, salt: number): Buffer {
  let list = blocks.get(seed);
  if (!list) {
    list = [];
    blocks.set(seed, list);
  }
  let b = list[salt];
  if (!b) {
    b = Buffer.from(list[0] ?? blockFor(seed));
    if (salt) for (let i = 0; i < b.length; i++) b[i]! ^= salt;
    list[salt] = b;
  }
  return b;
}

/** Bytes [start, end) of the body for (size, seed), in chunks of at most 64 KiB (shared views: copy before changing). */
export function* bodyChunks(seed: number, start: number, end: number): Generator<Buffer> {
  for (let pos = start; pos < end; ) {
    const n = Math.min(BLOCK - (pos % BLOCK), end - pos);
    const b = saltedBlock(seed, Math.floor(pos / BLOCK) & 0xff);
    yield b.subarray(pos % BLOCK, (pos % BLOCK) + n);
    pos += n;
  }
}

export function bodyOf(size: number, seed = 1): Buffer {
  return Buffer.concat([...bodyChunks(seed, 0, size)]);
}

export function sha256Of(size: number, seed = 1): string {
  const h = createHash('sha256');
  for (const c of bodyChunks(seed, 0, size)) h.update(c);
  return h.digest('hex');
}

export interface TestServer {
  origin: string;
  /** Requests seen, in order. */
  log: { path: string; range?: string; ifRange?: string; headers: http.IncomingHttpHeaders }[];
  /** Most requests in flight at once, overall and by the `key` path segment. */
  maxInFlight: number;
  /** Holds `/gate/...` answers until this many are in flight (0: no gate). */
  gateAt: number;
  hits(key: string): number;
  close(): Promise<void>;
}

/** Writes a body honouring Range (unless `range=no`), cutting the socket after `cutAt` bytes if asked. */
async function sendBody(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  size: number,
  seed: number,
  o: { range: boolean; cutAt?: number; corrupt?: boolean; etag: string },
) {
  let start = 0;
  const end = size;
  const m = o.range ? /^bytes=(\d+)-$/.exec(req.headers.range ?? '') : null;
  const ifRange = req.headers['if-range'];
  if (m && (!ifRange || ifRange === o.etag)) {
    start = Number(m[1]);
    if (start >= size) {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      return void res.end();
    }
    res.writeHead(206, {
      'content-length': end - start,
      'content-range': `bytes ${start}-${end - 1}/${size}`,
      etag: o.etag,
      'accept-ranges': 'bytes',
    });
  } else {
    res.writeHead(200, {
      'content-length': size,
      etag: o.etag,
      'content-type': 'application/octet-stream',
      ...(o.range ? { 'accept-ranges': 'bytes' } : {}),
    });
  }
  let sent = 0;
  for (const chunk of bodyChunks(seed, start, end)) {
    let c = chunk;
    if (o.corrupt && sent === 0) {
      c = Buffer.from(chunk);
      c[0] = c[0]! ^ 0xff;
    }
    if (o.cutAt !== undefined && start + sent + c.length > o.cutAt) {
      const keep = Math.max(0, o.cutAt - start - sent);
      res.write(c.subarray(0, keep));
      // Let the partial bytes leave before the reset.
      await new Promise((r) => setImmediate(r));
      return void res.socket?.destroy();
    }
    sent += c.length;
    if (!res.write(c)) await new Promise((r) => res.once('drain', r));
    if (res.destroyed) return;
  }
  res.end();
}

/** `tls` serves https with that key and certificate (see certs.ts); plain http otherwise. */
export async function startTestServer(options: { tls?: { key: string; cert: string }; host?: string } = {}): Promise<TestServer> {
  const counts = new Map<string, number>();
  const gateWaiters: (() => void)[] = [];
  let inFlight = 0;
  let gateOpen = false;
  const state = { log: [] as TestServer['log'], maxInFlight: 0, gateAt: 0 };
  const handler: http.RequestListener = async (req, res) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const url = new URL(req.url ?? '/', 'http://x');
    const [, route = '', key = ''] = url.pathname.split('/');
    const q = (name: string, d: number) => (url.searchParams.has(name) ? Number(url.searchParams.get(name)) : d);
    state.log.push({
      path: url.pathname + url.search,
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers['if-range'] ? { ifRange: String(req.headers['if-range']) } : {}),
      headers: req.headers,
    });
    const hit = (counts.get(`${route}/${key}`) ?? 0) + 1;
    counts.set(`${route}/${key}`, hit);
    const size = q('size', 1024);
    const seed = q('seed', 1);
    const times = q('times', 1);
    const etag = `"${size}-${seed}"`;
    const range = url.searchParams.get('range') !== 'no';
    switch (route) {
      case 'file':
        return sendBody(req, res, size, seed, { range, etag });
      case 'flaky': // `status` for the first `times` requests, then the file
        if (hit <= times) return void res.writeHead(q('status', 503)).end('try later');
        return sendBody(req, res, size, seed, { range, etag });
      case 'ratelimit':
        if (hit <= times) return void res.writeHead(429, { 'retry-after': url.searchParams.get('retryAfter') ?? '1' }).end();
        return sendBody(req, res, size, seed, { range, etag });
      case 'cut': // the connection drops after `cutAt` bytes, `times` times
        return sendBody(req, res, size, seed, { range, etag, ...(hit <= times ? { cutAt: q('cutAt', size / 2) } : {}) });
      case 'corrupt': // one flipped byte, `times` times
        return sendBody(req, res, size, seed, { range, etag, corrupt: hit <= times });
      case 'status':
        return void res.writeHead(Number(key)).end();
      case 'loop': // a → b → a
        return void res.writeHead(302, { location: `/loop/${key === 'a' ? 'b' : 'a'}` }).end();
      case 'hops': // /hops/N redirects N times, then serves the file
        if (Number(key) > 0) return void res.writeHead(301, { location: `/hops/${Number(key) - 1}${url.search}` }).end();
        return sendBody(req, res, size, seed, { range, etag });
      case 'redirect': // to the absolute URL in ?to=
        return void res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
      case 'headers':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers));
      case 'stall': // headers and half the body, then silence until the client gives up
        res.writeHead(200, { 'content-length': size });
        res.write(bodyOf(Math.floor(size / 2), seed));
        return;
      case 'gate': // the first answers wait until `gateAt` requests are in flight at once; then it stays open
        if (inFlight >= state.gateAt) gateOpen = true;
        if (gateOpen) for (const w of gateWaiters.splice(0)) w();
        else await new Promise<void>((r) => gateWaiters.push(r));
        return sendBody(req, res, size, seed, { range, etag });
      default:
        return void res.writeHead(404).end();
    }
  };
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${options.tls ? 'https' : 'http'}://${options.host ?? '127.0.0.1'}:${port}`,
    get log() {
      return state.log;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
    get gateAt() {
      return state.gateAt;
    },
    set gateAt(n: number) {
      state.gateAt = n;
    },
    hits: (key) => counts.get(key) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const w of gateWaiters.splice(0)) w();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
