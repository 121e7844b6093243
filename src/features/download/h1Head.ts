/**
 * The heads of HTTP/1.1, both ways, as pure functions: the request we send and what
 * a response head says about its body (RFC 9112). No sockets here; h1.ts does the I/O.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { DownloadError } from './errors.js';

/** Idle connections are dropped after this, or sooner if the server's Keep-Alive says so. */
export const KEEP_ALIVE_MS = 4_000;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export type Framing = { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

export interface ResponseHead {
  status: number;
  headers: IncomingHttpHeaders;
  framing: Framing;
  /** The connection may carry another request after this body. */
  reusable: boolean;
  keepAliveMs: number;
}

export const protocolError = (what: string) => new DownloadError('network', `bad HTTP response (${what})`, { retryable: true });

/** `GET` with Host first. Lists are checked on input; redirects and our own headers are checked here, so nothing can split the request. */
export function requestHead(url: URL, headers: Record<string, string>): string {
  let head = `GET ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const name in headers) {
    const value = headers[name]!;
    if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) throw new DownloadError('network', `header ${TOKEN.test(name) ? name : '?'} has characters HTTP does not allow`);
    head += `${name}: ${value}\r\n`;
  }
  return `${head}\r\n`;
}

/**
 * Reads a response head (without its blank line). Undefined for an interim 1xx answer,
 * which only precedes the real one. Throws on anything that cannot be framed safely.
 */
export function parseResponseHead(text: string): ResponseHead | undefined {
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
    return undefined;
  }
  let reusable = minor === 1 && !/\bclose\b/i.test(String(headers.connection ?? ''));
  const hint = /\btimeout=(\d+)/i.exec(String(headers['keep-alive'] ?? ''));
  const keepAliveMs = hint ? Math.max(0, Math.min(KEEP_ALIVE_MS, Number(hint[1]) * 1000 - 1000)) : KEEP_ALIVE_MS;
  const te = headers['transfer-encoding'];
  const cl = headers['content-length'];
  let framing: Framing;
  if (status === 204 || status === 304) framing = { kind: 'length', left: 0 };
  else if (te !== undefined) {
    const codings = String(te).toLowerCase().split(',');
    framing = codings[codings.length - 1]!.trim() === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
    // Both framings at once is a smuggling smell (RFC 9112 §6.3): this connection ends with the response.
    if (cl !== undefined) reusable = false;
  } else if (cl !== undefined) {
    if (!/^\d{1,15}$/.test(String(cl))) throw protocolError('Content-Length');
    framing = { kind: 'length', left: Number(cl) };
  } else framing = { kind: 'close' };
  if (framing.kind === 'close') reusable = false;
  return { status, headers, framing, reusable, keepAliveMs };
}
