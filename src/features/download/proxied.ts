/**
 * Downloads through a forward proxy, for the URLs core/proxy.ts sends there (HTTPS_PROXY,
 * HTTP_PROXY, NO_PROXY; never a host on this machine). undici's ProxyAgent: https through a
 * CONNECT tunnel, with TLS to the target inside it trusting what a direct connection trusts
 * (the system's CAs, NODE_EXTRA_CA_CERTS, --ca); http as absolute-URI GETs to the proxy.
 *
 * The address rules (addresses.ts) still hold, but the proxy, not us, connects to the target:
 * so the URL's host is resolved here and checked before the proxy is asked, and what would be
 * refused directly is refused. The proxy resolves the name again with its own DNS, which may
 * answer otherwise; a name this machine cannot resolve is not sent (its address is unknown).
 */
import type { SecureContext } from 'node:tls';
import type { ProxyAgent } from 'undici';
import { findCode, networkCode } from '../../core/errors.js';
import { proxyLabel } from '../../core/proxy.js';
import type { AddressPolicy, Ceiling } from './addresses.js';
import type { Resolver } from './connector.js';
import { DownloadError, toDownloadError } from './errors.js';

export interface ProxyAgentOptions {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  secureContext: SecureContext | undefined;
}

/** One ProxyAgent per proxy URL for the run: HTTP/1.1 only, the same timeouts as direct downloads. */
export async function createProxyAgent(proxy: string, o: ProxyAgentOptions): Promise<ProxyAgent> {
  const { ProxyAgent, Pool } = await import('undici');
  const timeouts = { headersTimeout: o.idleTimeoutMs, bodyTimeout: o.idleTimeoutMs, keepAliveTimeout: 4_000, allowH2: false };
  const tls = o.secureContext ? { secureContext: o.secureContext } : undefined;
  return new ProxyAgent({
    uri: proxy,
    // Plain http goes as forward GETs (what a proxy logs and filters); https always tunnels.
    proxyTunnel: false,
    connectTimeout: o.connectTimeoutMs,
    ...timeouts,
    ...(tls ? { requestTls: tls, proxyTls: tls } : {}),
    // The pool to the proxy for forward GETs is made here too, so it keeps our timeouts.
    factory: (origin, options) => new Pool(origin, { ...timeouts, ...options }),
  });
}

/** Resolves and checks `url`'s host under `ceiling` before it is handed to a proxy; throws the refusal. */
export async function checkBeforeProxy(url: URL, ceiling: Ceiling, resolver: Resolver, policy: AddressPolicy): Promise<void> {
  try {
    await resolver.permitted(url.hostname, ceiling, policy);
  } catch (e: unknown) {
    if (e instanceof DownloadError) throw e;
    const code = networkCode(e) ?? 'error';
    throw new DownloadError('network', `cannot resolve ${url.hostname} here to check its address before asking the proxy (${code})`, {
      retryable: true,
      cause: e,
    });
  }
}

/** Codes of a connection to the proxy that never opened. */
const NO_CONNECTION = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const PROXY_HINT = 'check HTTPS_PROXY / HTTP_PROXY, or list the host in NO_PROXY to connect directly';

/**
 * What a failed proxied request means. The proxy unreachable or asking for credentials is
 * code `proxy` (every URL would fail alike: the run stops); the proxy refusing or failing one
 * target is that URL's failure, retried when the proxy says it was a server error.
 */
export function proxyFailure(e: unknown, proxy: string): DownloadError {
  const label = proxyLabel(proxy);
  const code = networkCode(e);
  if (code && NO_CONNECTION.has(code)) {
    return new DownloadError('proxy', `cannot reach the proxy ${label} (${code})`, { hint: PROXY_HINT, cause: e });
  }
  const message = e instanceof Error ? e.message : '';
  const status = Number(/Proxy response \((\d{3})\)/.exec(message)?.[1] ?? (/\(407\)/.test(message) ? 407 : NaN));
  if (status === 407) {
    return new DownloadError('proxy', `the proxy ${label} wants credentials (HTTP 407)`, {
      hint: 'give them in the proxy URL: HTTPS_PROXY=http://user:password@host:port',
      cause: e,
    });
  }
  if (status) {
    return new DownloadError('http_status', `the proxy ${label} answered HTTP ${status} to the tunnel request`, {
      status,
      retryable: status >= 500,
      cause: e,
    });
  }
  if (findCode(e, (c) => c === 'UND_ERR_PRX_CONN')) {
    return new DownloadError('network', `the connection to the proxy ${label} failed`, { retryable: true, cause: e });
  }
  return toDownloadError(e);
}
