/**
 * The lean HTTP/1.1 client against a raw TCP server that answers byte for byte as
 * each test scripts it: framings, heads split anywhere, keep-alive and stale
 * connections, 1xx, timeouts, and answers it must refuse.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { H1Pool } from '../../src/features/download/h1.js';
import { parseResponseHead } from '../../src/features/download/h1Head.js';
import { DownloadError } from '../../src/features/download/errors.js';

interface Scripted {
  url: (path?: string) => URL;
  /** Connections accepted so far. */
  connections: () => number;
  requests: string[];
  close: () => Promise<void>;
}

/** A server whose `answer` writes the raw response; it gets the socket and the request head. */
async function scripted(answer: (socket: net.Socket, head: string, n: number) => void | Promise<void>): Promise<Scripted> {
  let connections = 0;
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = '';
    socket.on('data', (d) => {
      pending += d.toString('latin1');
      // Bounded by the bytes received: each turn removes one whole head.
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        requests.push(head);
        void answer(socket, head, requests.length);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: (path = '/x') => new URL(`http://127.0.0.1:${port}${path}`),
    connections: () => connections,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Writes `text` one byte at a time: every boundary a parser can meet. */
async function dribble(socket: net.Socket, text: string | Buffer): Promise<void> {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  for (let i = 0; i < bytes.length; i++) {
    socket.write(bytes.subarray(i, i + 1));
    await new Promise((r) => setImmediate(r));
  }
}

const timeouts = { connectTimeoutMs: 2000, idleTimeoutMs: 2000 };
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function setup(answer: Parameters<typeof scripted>[0]) {
  const server = await scripted(answer);
  const pool = new H1Pool();
  cleanup.push(() => pool.close(), () => server.close());
  return { server, pool };
}

/** The whole body, copied (chunks are lent). */
async function text(pool: H1Pool, url: URL, headers: Record<string, string> = {}) {
  const res = await pool.get(url, headers, timeouts);
  const parts: Buffer[] = [];
  await res.body.read((c) => void parts.push(Buffer.from(c)));
  return { status: res.status, headers: res.headers, body: Buffer.concat(parts).toString('latin1') };
}

describe('the HTTP/1.1 client', () => {
  it('sends a GET with the host, the given headers and nothing that splits the request', async () => {
    const { server, pool } = await setup((s) => void s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    const r = await text(pool, server.url('/a%20b?q=1'), { 'user-agent': 'sqsops/test', authorization: 'Bearer x' });
    expect(r).toMatchObject({ status: 200, body: 'ok' });
    expect(server.requests[0]!.split('\r\n')).toEqual([`GET /a%20b?q=1 HTTP/1.1`, `host: ${server.url().host}`, 'user-agent: sqsops/test', 'authorization: Bearer x']);
    await expect(pool.get(server.url(), { 'x-bad': 'a\rb' }, timeouts)).rejects.toThrow(/characters HTTP does not allow/);
    expect(server.requests).toHaveLength(1);
  });

  it('reads a chunked body split at every byte, with extensions and trailers', async () => {
    const { server, pool } = await setup((s) =>
      dribble(s, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nX-A: 2\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\na\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n'),
    );
    const r = await text(pool, server.url());
    expect(r.body).toBe('hello 0123456789');
    expect(r.headers['x-a']).toBe('1, 2');
    expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    // The chunked answer ended cleanly: the next request reuses the connection.
    await text(pool, server.url());
    expect(server.connections()).toBe(1);
  });

  it('reads a body that ends with the connection, and does not reuse it', async () => {
    const { server, pool } = await setup((s) => {
      s.write('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the ');
      setTimeout(() => s.end('end'), 20);
    });
    expect((await text(pool, server.url())).body).toBe('until the end');
    expect((await text(pool, server.url())).body).toBe('until the end');
    expect(server.connections()).toBe(2);
  });

  it('ends a close-delimited body only after a busy reader is done with the last bytes', async () => {
    const { server, pool } = await setup((s) => void s.end('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nthe last bytes'));
    const res = await pool.get(server.url(), {}, timeouts);
    const parts: Buffer[] = [];
    await res.body.read(async (c) => {
      const copy = Buffer.from(c);
      await new Promise((r) => setTimeout(r, 30));
      parts.push(copy);
    });
    expect(Buffer.concat(parts).toString()).toBe('the last bytes');
  });

  it('skips 100 Continue and 103 Early Hints, and reads a head split across reads', async () => {
    const { server, pool } = await setup((s) => dribble(s, 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc'));
    expect(await text(pool, server.url())).toMatchObject({ status: 200, body: 'abc' });
  });

  it('retries once on a fresh connection when a reused one closes before answering', async () => {
    const { server, pool } = await setup((s, _h, n) => {
      // The second request finds the kept connection closed under it, as a server's keep-alive timeout does.
      if (n === 2) return void s.destroy();
      s.write(`HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n${n}`);
    });
    expect((await text(pool, server.url())).body).toBe('1');
    expect((await text(pool, server.url())).body).toBe('3');
    expect(server.connections()).toBe(2);
  });

  it('keeps one connection for requests one after another, and drops it when the server closes it while idle', async () => {
    const { server, pool } = await setup((s, _h, n) => {
      s.write(`HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n${n}`);
      // After the second answer the server drops the connection without saying so.
      if (n === 2) setImmediate(() => s.destroy());
    });
    expect((await text(pool, server.url())).body).toBe('1');
    expect((await text(pool, server.url())).body).toBe('2');
    await new Promise((r) => setTimeout(r, 50));
    expect((await text(pool, server.url())).body).toBe('3');
    expect(server.connections()).toBe(2);
  });

  it('waits for a consumer that returns a promise, and loses no byte', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 0).map((_, i) => (i * 7) & 0xff);
    const { server, pool } = await setup((s) => {
      s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n`);
      s.write(body);
    });
    const res = await pool.get(server.url(), {}, timeouts);
    const parts: Buffer[] = [];
    let turns = 0;
    await res.body.read(async (c) => {
      parts.push(Buffer.from(c));
      if (turns++ % 3 === 0) await new Promise((r) => setTimeout(r, 1));
    });
    expect(Buffer.concat(parts).equals(body)).toBe(true);
  });

  it('reuses the connection after discarding a short body, and cuts a long one', async () => {
    const { server, pool } = await setup((s, head) => {
      const size = head.includes('/long') ? 1024 * 1024 : 10;
      s.write(`HTTP/1.1 404 Not Found\r\ncontent-length: ${size}\r\n\r\n`);
      s.write(Buffer.alloc(size, 0x61));
    });
    const short = await pool.get(server.url('/short'), {}, timeouts);
    short.body.discard();
    await new Promise((r) => setTimeout(r, 20));
    const long = await pool.get(server.url('/long'), {}, timeouts);
    long.body.discard();
    await new Promise((r) => setTimeout(r, 20));
    await pool.get(server.url('/short'), {}, timeouts).then((r) => r.body.discard());
    expect(server.connections()).toBe(2);
  });

  it('fails a body cut short as a retryable network error, and a silent server as a timeout', async () => {
    const { server, pool } = await setup((s, head) => {
      s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly some');
      if (head.includes('/cut')) setImmediate(() => s.destroy());
    });
    const cut = await pool.get(server.url('/cut'), {}, timeouts);
    const e1 = await cut.body.read(() => undefined).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(DownloadError);
    expect(e1).toMatchObject({ code: 'network', retryable: true });
    const stall = await pool.get(server.url('/stall'), {}, { connectTimeoutMs: 2000, idleTimeoutMs: 150 });
    await expect(stall.body.read(() => undefined)).rejects.toMatchObject({ code: 'timeout', message: 'idle body timeout (0.15 s)' });
    const silent = await setup(() => undefined);
    await expect(silent.pool.get(silent.server.url(), {}, { connectTimeoutMs: 2000, idleTimeoutMs: 150 })).rejects.toMatchObject({ code: 'timeout', message: 'response headers timeout (0.15 s)' });
  });

  it('does not count a reader that keeps it waiting as server silence, and still times out a silence after it', async () => {
    const short = { connectTimeoutMs: 2000, idleTimeoutMs: 100 };
    const { server, pool } = await setup((s, head) => {
      if (head.includes('/slow')) return void s.write('HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nabcdef');
      // Half the body, then nothing: the reader's pause must not have used up the timer.
      s.write('HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nabc');
    });
    // The reader comes late, then holds each chunk longer than the idle timeout.
    const slow = await pool.get(server.url('/slow'), {}, short);
    await new Promise((r) => setTimeout(r, 250));
    const parts: Buffer[] = [];
    await slow.body.read(async (c) => {
      parts.push(Buffer.from(c));
      await new Promise((r) => setTimeout(r, 250));
    });
    expect(Buffer.concat(parts).toString()).toBe('abcdef');
    const stall = await pool.get(server.url('/stall'), {}, short);
    await new Promise((r) => setTimeout(r, 250));
    const started = performance.now();
    await expect(stall.body.read(() => undefined)).rejects.toMatchObject({ code: 'timeout', message: 'idle body timeout (0.1 s)' });
    // The silence is timed from the reader's arrival, not from before its wait.
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('refuses answers it cannot frame safely', async () => {
    const answers = [
      'HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\nabcd',
      'HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\n folded: header\r\n\r\n',
      'HTTP/2 200\r\n\r\n',
      `HTTP/1.1 200 OK\r\nx: ${'a'.repeat(70 * 1024)}\r\n\r\n`,
    ];
    const { server, pool } = await setup((s, _h, n) => void s.write(answers[n - 1]!));
    for (const _ of answers) await expect(pool.get(server.url(), {}, timeouts)).rejects.toMatchObject({ code: 'network', message: expect.stringMatching(/^bad HTTP response/) });
  });

  it('does not reuse a connection whose answer had both framings, or more bytes than it said', async () => {
    const { server, pool } = await setup((s, head) => {
      if (head.includes('/both')) s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\ntransfer-encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n');
      else s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nabEXTRA');
    });
    expect((await text(pool, server.url('/both'))).body).toBe('ab');
    expect((await text(pool, server.url('/extra'))).body).toBe('ab');
    expect((await text(pool, server.url('/extra'))).body).toBe('ab');
    expect(server.connections()).toBe(3);
  });

  it('says a refused connection is a retryable network error', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const pool = new H1Pool();
    cleanup.push(() => pool.close());
    await expect(pool.get(new URL(`http://127.0.0.1:${port}/`), {}, timeouts)).rejects.toMatchObject({ code: 'network', retryable: true });
  });
});

describe('parseResponseHead', () => {
  it.each([
    ['HTTP/1.1 200 OK\r\ncontent-length: 5', { kind: 'length', left: 5 }, true, 4000],
    ['HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked', { kind: 'chunked' }, true, 4000],
    ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked, gzip', { kind: 'close' }, false, 4000],
    ['HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: Close', { kind: 'length', left: 5 }, false, 4000],
    ['HTTP/1.0 200 OK\r\ncontent-length: 5', { kind: 'length', left: 5 }, false, 4000],
    ['HTTP/1.1 204 No Content', { kind: 'length', left: 0 }, true, 4000],
    ['HTTP/1.1 200 OK', { kind: 'close' }, false, 4000],
    ['HTTP/1.1 200 OK\r\ncontent-length: 5\r\nkeep-alive: timeout=2', { kind: 'length', left: 5 }, true, 1000],
  ])('frames %j', (head, framing, reusable, keepAliveMs) => {
    expect(parseResponseHead(head)).toMatchObject({ framing, reusable, keepAliveMs });
  });

  it('passes over interim answers and refuses a protocol switch', () => {
    expect(parseResponseHead('HTTP/1.1 103 Early Hints\r\nlink: </a>')).toBeUndefined();
    expect(() => parseResponseHead('HTTP/1.1 101 Switching Protocols')).toThrow(/unexpected 101/);
  });
});
