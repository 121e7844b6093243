/**
 * One GET, following redirects by hand: we cap them, refuse any scheme but http and
 * https, spot loops, drop credentials when a redirect leaves the origin (a token for one
 * host must not be handed to another), and keep each hop within the address rules
 * (addresses.ts). One stack for both schemes: undici, loaded on the first request. A URL a
 * proxy variable covers goes through that proxy (proxied.ts), checked by the same rules first.
 */
import type { SecureContext } from 'node:tls';
import type { Agent, ProxyAgent } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { AddressPolicy, type Ceiling } from './addresses.js';
import { guardedConnector, Resolver, trustedContext, type Resolve } from './connector.js';
import { DownloadError, toDownloadError } from './errors.js';
import { Exchange, type ResponseHead } from './exchange.js';
import { redactUrl } from '../../core/redact.js';
import { checkProxyVariables, proxyFor } from '../../core/proxy.js';
import { checkBeforeProxy, createProxyAgent, proxyFailure } from './proxied.js';

export type { ResponseBody } from './exchange.js';

export interface HttpOptions {
  /** @default 10000 */
  connectTimeoutMs?: number;
  /** Longest silence while waiting for headers or between body chunks. @default 30000 */
  idleTimeoutMs?: number;
  /** @default 5 */
  maxRedirects?: number;
  userAgent?: string;
  /** A PEM file of CA certificates to trust besides the system's (and NODE_EXTRA_CA_CERTS). */
  caFile?: string;
  /** CIDRs (or addresses) exempt from the address rules: link-local is refused and redirects may not move inward otherwise. */
  allowAddresses?: readonly string[];
  /** Resolves host names. @default dns.lookup with `all: true` */
  resolve?: Resolve;
}

export interface OpenedResponse extends ResponseHead {
  /** The URL that answered, after redirects. */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie)$|token|secret|api-?key|auth|session/i;

/** The connections of one run: an undici Agent per address ceiling, so a connection opened for one rule never serves a stricter one. */
export class HttpClient {
  private readonly agents = new Map<Ceiling, Promise<Agent>>();
  private readonly proxies = new Map<string, Promise<ProxyAgent>>();
  private readonly resolver: Resolver;
  readonly policy: AddressPolicy;
  private readonly secureContext: SecureContext | undefined;

  constructor(private readonly options: HttpOptions = {}) {
    this.resolver = new Resolver(options.resolve);
    this.policy = new AddressPolicy(options.allowAddresses);
    this.secureContext = trustedContext(options.caFile);
    // A proxy variable sqsops cannot use is said once, before any URL is tried.
    checkProxyVariables();
  }

  /** GETs `url`, reaching only addresses allowed under `ceiling`; the caller must read or discard the body. */
  async get(url: URL, headers: Record<string, string>, ceiling: Ceiling): Promise<ResponseHead> {
    const proxy = proxyFor(url);
    if (proxy) await checkBeforeProxy(url, ceiling, this.resolver, this.policy);
    const agent = proxy ? await this.proxyAgent(proxy) : await this.agent(ceiling);
    const exchange = new Exchange();
    agent.dispatch({ origin: url.origin, path: `${url.pathname}${url.search}`, method: 'GET', headers }, exchange);
    return proxy ? exchange.response.catch((e: unknown) => Promise.reject(proxyFailure(e, proxy))) : exchange.response;
  }

  private proxyAgent(proxy: string): Promise<ProxyAgent> {
    let agent = this.proxies.get(proxy);
    if (!agent) {
      const { connectTimeoutMs = 10_000, idleTimeoutMs = 30_000 } = this.options;
      agent = createProxyAgent(proxy, { connectTimeoutMs, idleTimeoutMs, secureContext: this.secureContext });
      this.proxies.set(proxy, agent);
    }
    return agent;
  }

  /** The class of address `url`'s host resolves to: what a redirect from it may reach. */
  async classOf(url: URL): Promise<Ceiling> {
    const classes = (await this.resolver.lookup(url.hostname)).map((a) => this.policy.classOf(a.address));
    return classes.reduce<Ceiling>((a, b) => outermost(a, b), classes[0] ?? 'public');
  }

  private agent(ceiling: Ceiling): Promise<Agent> {
    let agent = this.agents.get(ceiling);
    if (!agent) {
      const idle = this.options.idleTimeoutMs ?? 30_000;
      agent = import('undici').then(
        ({ Agent, buildConnector }) =>
          new Agent({
            headersTimeout: idle,
            bodyTimeout: idle,
            keepAliveTimeout: 4_000,
            connect: guardedConnector(buildConnector, {
              connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000,
              secureContext: this.secureContext,
              resolver: this.resolver,
              policy: this.policy,
              ceiling,
            }),
          }),
      );
      this.agents.set(ceiling, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values(), ...this.proxies.values()].map(async (a) => (await a).destroy()));
  }
}

const ORDER: readonly Ceiling[] = ['public', 'private', 'loopback'];
const outermost = (a: Ceiling, b: Ceiling): Ceiling => (ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b);

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
  // The URL as given may reach this machine (a local server is a fair thing to download from); each redirect no further in than its source.
  let ceiling: Ceiling = 'loopback';
  const visited = new Set<string>();
  // Bounded: at most max + 1 requests.
  for (let hop = 0; ; hop++) {
    visited.add(current.href);
    let res: ResponseHead;
    try {
      res = await client.get(current, { 'user-agent': options.userAgent ?? 'sqsops', ...sent, ...extra, ...basicAuth(current) }, ceiling);
    } catch (e: unknown) {
      throw toDownloadError(e);
    }
    const location = header(res.headers, 'location');
    if (!REDIRECTS.has(res.status) || !location) return { ...res, url: current.href };
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
    try {
      ceiling = outermost(ceiling, await client.classOf(current));
    } catch (e: unknown) {
      throw toDownloadError(e);
    }
    current = next;
  }
}

/** Credentials in the URL become Basic auth: undici would not send them otherwise. */
function basicAuth(u: URL): Record<string, string> {
  if (!u.username && !u.password) return {};
  const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  return { authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}
