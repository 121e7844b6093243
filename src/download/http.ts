/**
 * One GET through undici, following redirects by hand: we cap them, refuse any
 * scheme but http and https, spot loops, and drop credentials when a redirect
 * leaves the origin (a token for one host must not be handed to another).
 */
import { Agent } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { DownloadError, toDownloadError } from './errors.js';
import { redactUrl } from './redact.js';

export interface HttpOptions {
  /** @default 10000 */
  connectTimeoutMs?: number;
  /** Longest silence while waiting for headers or between body chunks. @default 30000 */
  idleTimeoutMs?: number;
  /** @default 5 */
  maxRedirects?: number;
  userAgent?: string;
}

export interface OpenedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
  /** The URL that answered, after redirects. */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie)$|token|secret|api-?key|auth|session/i;

export function createAgent(options: HttpOptions = {}): Agent {
  const idle = options.idleTimeoutMs ?? 30_000;
  return new Agent({
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    headersTimeout: idle,
    bodyTimeout: idle,
    keepAliveTimeout: 10_000,
  });
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * GETs `url` (with `extra` headers such as Range) and returns the first non-redirect
 * answer, its body unread. The caller owns the body and must consume or destroy it.
 */
export async function openUrl(
  agent: Agent,
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
      res = await agent.request({
        origin: current.origin,
        path: `${current.pathname}${current.search}`,
        method: 'GET',
        headers: { 'user-agent': options.userAgent ?? 'sqsops', ...sent, ...extra, ...basicAuth(current) },
      });
    } catch (e: unknown) {
      throw toDownloadError(e);
    }
    const location = header(res.headers, 'location');
    if (!REDIRECTS.has(res.statusCode) || !location) {
      return { status: res.statusCode, headers: res.headers, body: res.body, url: current.href };
    }
    // Drain the redirect's own body so the connection goes back to the pool.
    await res.body.dump().catch(() => undefined);
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

/** Credentials in the URL become Basic auth: undici would otherwise send none. */
function basicAuth(u: URL): Record<string, string> {
  if (!u.username && !u.password) return {};
  const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  return { authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}
