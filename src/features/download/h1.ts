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
import { toDownloadError } from './errors.js';
import { Connection, StaleConnection, type ConnectionOwner, type H1Response, type H1Timeouts } from './h1Connection.js';
import { requestHead } from './h1Head.js';

export type { H1Response, H1Timeouts } from './h1Connection.js';

/** Connections per origin (host:port), reused one request at a time; no pipelining. */
export class H1Pool implements ConnectionOwner {
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
