/**
 * Which forward proxy a URL goes through, for AWS calls and downloads alike: HTTPS_PROXY for
 * https URLs, HTTP_PROXY for http ones (lower-case forms first, ALL_PROXY as the fallback), as
 * proxy-from-env reads them; none for a host NO_PROXY names. NO_PROXY is read as curl and the
 * AWS CLI read it: an entry covers its subdomains too (proxy-from-env alone wants a leading
 * dot for that), and a CIDR covers its addresses. And a host on this machine (localhost,
 * 127.0.0.0/8, ::1) is never proxied, as Go's HTTP client does: a proxy's loopback is the
 * proxy's own machine, not ours.
 */
import { BlockList, isIP } from 'node:net';
import { getProxyForUrl } from 'proxy-from-env';
import { UsageError } from './errors.js';
import { addSecret, redactUrl } from './redact.js';

/** The variables read, in proxy-from-env's order of precedence (lower case first). */
export const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'] as const;

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
// 0.0.0.0 and :: reach this machine on Linux too.
LOOPBACK.addSubnet('0.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addAddress('::', 'ipv6');

/** True for a host name or address literal that names this machine (IPv4 carried in IPv6 included). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** The proxy URL for `url`, or undefined to connect directly. Reads the environment on every call. */
export function proxyFor(url: string | URL): string | undefined {
  const target = typeof url === 'string' ? new URL(url) : url;
  if (isLoopbackHost(target.hostname) || noProxyCovers(target)) return undefined;
  const proxy = getProxyForUrl(target.href);
  if (!proxy) return undefined;
  // A bare host:port is an http:// proxy, as curl and the AWS CLI read it (proxy-from-env would copy the target's scheme).
  const scheme = target.protocol.slice(0, -1);
  const raw = [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`, 'all_proxy', 'ALL_PROXY'].map((n) => process.env[n]).find(Boolean);
  return raw && !raw.includes('://') ? `http://${raw}` : proxy;
}

/** NO_PROXY's entries (host, .domain, *.domain, host:port, CIDR, or *) that take `url` out of the proxy. */
function noProxyCovers(url: URL): boolean {
  const list = (process.env.no_proxy || process.env.NO_PROXY || '').toLowerCase();
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return list.split(/[,\s]+/).some((raw) => {
    if (raw === '*') return true;
    // A bare IPv6 address would otherwise lose its last group to the port.
    if (isIP(raw)) return inCidr(host, `${raw}/${isIP(raw) === 4 ? 32 : 128}`);
    const m = /^(.*?)(?::(\d+))?$/.exec(raw.replace(/^\[(.*)\](:\d+)?$/, '$1$2'))!;
    if (!m[1] || (m[2] && m[2] !== port)) return false;
    if (m[1].includes('/')) return inCidr(host, m[1]);
    const name = m[1].replace(/^\*?\./, '');
    return host === name || host.endsWith(`.${name}`);
  });
}

function inCidr(host: string, cidr: string): boolean {
  const [base = '', bits] = cidr.split('/');
  const family = isIP(base);
  if (!family || !isIP(host) || !/^\d+$/.test(bits ?? '')) return false;
  const list = new BlockList();
  try {
    list.addSubnet(base, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
    return list.check(host, isIP(host) === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return false;
  }
}

/**
 * Refuses a proxy variable sqsops cannot use, before anything is sent: a URL that does not
 * parse, or a scheme other than http and https (socks5:// is not spoken). The password of
 * each is registered with the redactor, so no message shows it in any form.
 */
export function checkProxyVariables(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of PROXY_VARIABLES) {
    const value = env[name]?.trim();
    if (!value) continue;
    let url: URL | undefined;
    try {
      url = new URL(value.includes('://') ? value : `http://${value}`);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
      throw new UsageError(`${name} is not an http(s) proxy URL: "${redactUrl(value)}"`, {
        hint: `set it to http://host:port (or http://user:password@host:port), or unset ${name}`,
      });
    }
    addSecret(url.password, safeDecode(url.password));
  }
}

/** A proxy URL fit to print: user and password masked. */
export function proxyLabel(proxy: string): string {
  return redactUrl(proxy).replace(/\/$/, '');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
