/**
 * How a download's connections are opened: names resolved once per minute per run (Node
 * caches nothing, and 2,000 files on one host need one lookup), every resolved address
 * checked against the address rules (addresses.ts) at connect time, so a name that
 * resolves elsewhere later cannot slip past a check made earlier, and TLS trusting the
 * system's CAs, NODE_EXTRA_CA_CERTS and `--ca`.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { isIP, type LookupFunction } from 'node:net';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import type { buildConnector as BuildConnector } from 'undici';
import type { AddressPolicy, Ceiling } from './addresses.js';
import { DownloadError } from './errors.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Resolves a host name to its addresses, as `dns.lookup(name, { all: true })` does. */
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

const TTL_MS = 60_000;

/** A per-run cache in front of the resolver: the connect-time check and the redirect rule see the same answer. */
export class Resolver {
  private readonly cache = new Map<string, { at: number; answer: Promise<ResolvedAddress[]> }>();

  constructor(private readonly resolve: Resolve = (h) => dnsLookup(h, { all: true })) {}

  lookup(hostname: string): Promise<ResolvedAddress[]> {
    const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    const family = isIP(bare);
    if (family) return Promise.resolve([{ address: bare, family }]);
    const hit = this.cache.get(bare);
    if (hit && performance.now() - hit.at < TTL_MS) return hit.answer;
    const answer = this.resolve(bare);
    this.cache.set(bare, { at: performance.now(), answer });
    // A failed lookup is not remembered: the retry asks again.
    answer.catch(() => this.cache.delete(bare));
    return answer;
  }

  /** The addresses of `hostname` that may be reached under `ceiling`; throws the first refusal when none may. */
  async permitted(hostname: string, ceiling: Ceiling, policy: AddressPolicy): Promise<ResolvedAddress[]> {
    const all = await this.lookup(hostname);
    const ok = all.filter((a) => !policy.refusal(hostname, a.address, ceiling));
    if (ok.length) return ok;
    const refused = all[0] && policy.refusal(hostname, all[0].address, ceiling);
    throw refused ?? new DownloadError('network', `no address for ${hostname}`, { retryable: true });
  }
}

/**
 * The TLS context for --ca, made once per run: given a `ca`, Node trusts only it, so the system's and
 * NODE_EXTRA_CA_CERTS come along, and a `ca` passed per connection would parse those ~150 certificates
 * again for each (about 15 ms of CPU per connection here: a quarter of a second for 2,000 small files).
 */
export function trustedContext(caFile: string | undefined): SecureContext | undefined {
  if (!caFile) return undefined;
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (e: unknown) {
      throw new DownloadError('tls', `cannot read ${what} ${path} (${(e as { code?: string }).code ?? 'error'})`, { cause: e });
    }
  };
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  const pem = read(caFile, '--ca file');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new DownloadError('tls', `--ca file ${caFile} holds no PEM certificate`);
  const ca = [...rootCertificates, ...(extra ? [read(extra, 'NODE_EXTRA_CA_CERTS file')] : []), pem];
  try {
    return createSecureContext({ ca });
  } catch (e: unknown) {
    // A damaged PEM: said once here, rather than as a TLS failure on every URL.
    throw new DownloadError('tls', `--ca file ${caFile} (or NODE_EXTRA_CA_CERTS) holds a certificate that cannot be read`, { cause: e });
  }
}

export interface ConnectorOptions {
  connectTimeoutMs: number;
  secureContext: SecureContext | undefined;
  resolver: Resolver;
  policy: AddressPolicy;
  ceiling: Ceiling;
}

/** undici's connector, with the address rules applied to whatever the host resolves to, just before connecting. */
export function guardedConnector(build: typeof BuildConnector, o: ConnectorOptions): BuildConnector.connector {
  const lookup: LookupFunction = (hostname, options, callback) => {
    o.resolver.permitted(hostname, o.ceiling, o.policy).then(
      (list) => {
        const wanted = options.family ? list.filter((a) => a.family === options.family) : list;
        if (options.all) callback(null, wanted);
        else if (wanted[0]) callback(null, wanted[0].address, wanted[0].family);
        else callback(Object.assign(new Error(`no IPv${options.family} address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      },
      (e: unknown) => callback(e as NodeJS.ErrnoException, '', 0),
    );
  };
  // HTTP/1.1 only: one connection per download, as the concurrency flags promise.
  const base = build({ timeout: o.connectTimeoutMs, lookup, allowH2: false, secureContext: o.secureContext });
  return (options, callback) => {
    const host = options.hostname.startsWith('[') ? options.hostname.slice(1, -1) : options.hostname;
    // An address literal never reaches `lookup`, so it is checked here.
    if (isIP(host)) {
      const refused = o.policy.refusal(host, host, o.ceiling);
      if (refused) return void queueMicrotask(() => callback(refused, null));
    }
    return base(options, callback);
  };
}
