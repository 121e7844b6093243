/**
 * One GET, following redirects by hand: we cap them, refuse any scheme but http and
 * https, spot loops, and drop credentials when a redirect leaves the origin (a token
 * for one host must not be handed to another). Plain http goes through our own lean
 * HTTP/1.1 client (h1.ts: no allocation per chunk); https through undici, loaded only
 * when an https URL comes up.
 */
import type { Agent } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { DownloadError, toDownloadError } from './errors.js';
import { H1Pool, type H1Timeouts } from './h1.js';
import { redactUrl } from '../../core/redact.js';

export interface HttpOptions {
  /** @default 10000 */
  connectTimeoutMs?: number;
  /** Longest silence while waiting for headers or between body chunks. @default 30000 */
  idleTimeoutMs?: number;
  /** @default 5 */
  maxRedirects?: number;
  userAgent?: string;
}

/**
 * A response body, pulled by its consumer. A chunk is lent, not given: its memory is
 * reused once `onChunk` returns (or once the promise it returned settles), so keep a
 * copy if you keep it. That is what makes a GiB cost no garbage.
 */
export interface ResponseBody {
  /** Resolves at the end of the body; rejects on a network error, a timeout, or the consumer's own error. */
  read(onChunk: (chunk: Buffer) => void | Promise<void>): Promise<void>;
  /** Drops the body: a short one is read to its end so the connection is reused, a long one is cut. Never throws. */
  discard(): void;
}

export interface OpenedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: ResponseBody;
  /** The URL that answered, after redirects. */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie)$|token|secret|api-?key|auth|session/i;

/** The connections of one run: our pool for http, an undici Agent for https (made on first use). */
export class HttpClient {
  private readonly h1 = new H1Pool();
  private agent: Promise<Agent> | undefined;
  private readonly timeouts: H1Timeouts;

  constructor(options: HttpOptions = {}) {
    this.timeouts = { connectTimeoutMs: options.connectTimeoutMs ?? 10_000, idleTimeoutMs: options.idleTimeoutMs ?? 30_000 };
  }

  async get(url: URL, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: ResponseBody }> {
    if (url.protocol === 'http:') return this.h1.get(url, headers, this.timeouts);
    const agent = await (this.agent ??= import('undici').then(
      ({ Agent }) =>
        new Agent({
          connectTimeout: this.timeouts.connectTimeoutMs,
          headersTimeout: this.timeouts.idleTimeoutMs,
          bodyTimeout: this.timeouts.idleTimeoutMs,
          keepAliveTimeout: 10_000,
        }),
    ));
    const res = await agent.request({ origin: url.origin, path: `${url.pathname}${url.search}`, method: 'GET', headers });
    return { status: res.statusCode, headers: res.headers, body: streamBody(res.body) };
  }

  async close(): Promise<void> {
    this.h1.close();
    if (this.agent) await (await this.agent).destroy();
  }
}

/** A Node stream as a ResponseBody (undici's bodies). */
export function streamBody(body: Readable): ResponseBody {
  return {
    async read(onChunk) {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        const r = onChunk(chunk);
        if (r) await r;
      }
    },
    discard() {
      // An unheard 'error' event on a destroyed body would crash the process.
      body.on('error', () => undefined);
      const dump = (body as Readable & { dump?: (o: { limit: number }) => Promise<void> }).dump;
      if (dump) void dump.call(body, { limit: 64 * 1024 }).catch(() => undefined);
      else body.destroy();
    },
  };
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * GETs `url` (with `extra` headers such as Range) and returns the first non-redirect
 * answer, its body unread. The caller owns the body and must read or discard it.
 */
export async function openUrl(
  client: HttpClient,
  url: string,
  headers: Record<string, string>,
  extra: Record<string, string>,
  options: HttpOptions,
): Promise<OpenedResponse> {
  const max = options.maxRedirects ?? 5;
  let current = new URL(url);
  let sent: Record<string, string> = { ...headers };
  const visited = new Set<string>();
  // Bounded: at most max + 1 requests.
  for (let hop = 0; ; hop++) {
    visited.add(current.href);
    let res;
    try {
      res = await client.get(current, { 'user-agent': options.userAgent ?? 'sqsops', ...sent, ...extra, ...basicAuth(current) });
    } catch (e: unknown) {
      throw toDownloadError(e);
    }
    const location = header(res.headers, 'location');
    if (!REDIRECTS.has(res.status) || !location) {
      return { status: res.status, headers: res.headers, body: res.body, url: current.href };
    }
    // Drain the redirect's own body so the connection goes back to the pool.
    res.body.discard();
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new DownloadError('bad_redirect', 'redirect to an unreadable Location');
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new DownloadError('bad_redirect', `redirect to a ${next.protocol.slice(0, 20)} URL refused (only http and https)`);
    }
    if (visited.has(next.href)) throw new DownloadError('redirect_loop', `redirect loop at ${redactUrl(next.href)}`);
    if (hop + 1 > max) throw new DownloadError('too_many_redirects', `more than ${max} redirects`);
    if (next.origin !== current.origin) {
      sent = Object.fromEntries(Object.entries(sent).filter(([k]) => !CREDENTIAL_HEADER.test(k)));
    }
    current = next;
  }
}

/** Credentials in the URL become Basic auth: neither client would send them otherwise. */
function basicAuth(u: URL): Record<string, string> {
  if (!u.username && !u.password) return {};
  const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  return { authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}
