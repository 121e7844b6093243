/**
 * Which addresses a download may connect to, as pure rules. A URL comes from a message,
 * so whoever wrote the message chooses where we connect: a redirect into this machine
 * once saved the local AWS's bucket list as a file. So, checked on the address a name
 * resolved to (never on the name):
 *  - link-local and cloud metadata addresses are refused outright;
 *  - a redirect may not move inward: public, then private, then loopback.
 * Addresses inside an `--allow-address` CIDR pass both rules.
 * An address is judged by what it reaches: an IPv6 address that carries an IPv4 one
 * (mapped, compatible, NAT64, 6to4, Teredo) by that IPv4 address. The ranges are ipaddr.js's.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { DownloadError } from './errors.js';

/** From outermost to innermost; `link-local` is never reached by a redirect or a URL unless allowed. */
export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local';
const RANK: Record<AddressClass, number> = { public: 0, private: 1, loopback: 2, 'link-local': 3 };

type Address = ipaddr.IPv4 | ipaddr.IPv6;
/** Ranges ipaddr.js returns that its type declarations leave out. */
type UndeclaredV6 = 'deprecatedSiteLocal' | 'discard' | 'deprecatedOrchid' | 'segmentRouting';
/** IPv6 ranges that carry an IPv4 address: judged by it (`carriedIPv4`), never by this table. */
type CarrierV6 = 'ipv4Mapped' | 'rfc6145' | 'rfc6052' | '6to4' | 'teredo';

// Anything not routed on the internet counts as private: whatever answers there is on a network near us.
const V4: Record<ReturnType<ipaddr.IPv4['range']>, AddressClass> = {
  unicast: 'public',
  as112: 'public', // anycast DNS sinks on the internet
  amt: 'public', // anycast multicast relays on the internet
  private: 'private',
  carrierGradeNat: 'private',
  reserved: 'private', // documentation, benchmarking, 192.0.0/24, 240/4
  benchmarking: 'private',
  multicast: 'private',
  broadcast: 'private',
  unspecified: 'loopback', // 0.0.0.0/8 reaches this machine on Linux
  loopback: 'loopback',
  linkLocal: 'link-local',
};
const V6: Record<Exclude<ReturnType<ipaddr.IPv6['range']> | UndeclaredV6, CarrierV6>, AddressClass> = {
  unicast: 'public',
  as112v6: 'public',
  amt: 'public',
  uniqueLocal: 'private',
  deprecatedSiteLocal: 'private',
  multicast: 'private',
  discard: 'private',
  reserved: 'private', // 2001:db8::/32 and 3fff::/20 documentation, the rest of 2001::/23
  benchmarking: 'private',
  deprecatedOrchid: 'private', // ORCHIDs and drone tags name things, they route nowhere
  orchid2: 'private',
  droneRemoteIdProtocolEntityTags: 'private',
  segmentRouting: 'private',
  unspecified: 'loopback', // :: reaches this machine on Linux
  loopback: 'loopback',
  linkLocal: 'link-local',
};
// EC2's IPv6 metadata endpoint sits inside unique-local space.
const METADATA_V6 = ipaddr.parseCIDR('fd00:ec2::254/128');

const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);

/** The IPv4 addresses an IPv6 address carries, where its range puts them; empty when it carries none. */
function carriedIPv4(a: ipaddr.IPv6): ipaddr.IPv4[] {
  const p = a.parts as [number, number, number, number, number, number, number, number];
  switch (a.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
      return [a.toIPv4Address()];
    case 'rfc6145': // ::ffff:0:a.b.c.d, IPv4-translated
    case 'rfc6052': // NAT64: 64:ff9b::/96, and 64:ff9b:1::/48 in its usual /96 form
      return [v4(p[6], p[7])];
    case '6to4': // 2002:AABB:CCDD::/48
      return [v4(p[1], p[2])];
    case 'teredo': // 2001:0:SERVER:flags:port:CLIENT, the client's address inverted
      return [v4(p[2], p[3]), v4(p[6] ^ 0xffff, p[7] ^ 0xffff)];
    case 'unicast': // ::a.b.c.d, IPv4-compatible (deprecated, but a stack may still route it)
      return p.slice(0, 6).every((x) => x === 0) ? [v4(p[6], p[7])] : [];
    default:
      return [];
  }
}

/** An address as Node connects to it (no inet_aton forms: a URL parser already turned those into dotted quads). */
function parse(address: string): Address | undefined {
  const bare = address.startsWith('[') ? address.slice(1, -1) : address;
  if (!isIP(bare)) return undefined;
  try {
    return ipaddr.parse(bare);
  } catch {
    return undefined;
  }
}

function classOfOne(a: Address): AddressClass {
  if (a.kind() === 'ipv4') return V4[(a as ipaddr.IPv4).range()] ?? 'private';
  if (a.match(METADATA_V6)) return 'link-local';
  return V6[(a as ipaddr.IPv6).range() as keyof typeof V6] ?? 'private';
}

export interface Judgement {
  /** The innermost class of what the address reaches. */
  cls: AddressClass;
  /** The IPv4 addresses an IPv6 address carries (what it reaches instead of itself); empty for the rest. */
  carried: string[];
}

/** What connecting to `address` reaches, or undefined when it is not an IP address. */
export function judge(address: string): Judgement | undefined {
  const a = parse(address);
  if (!a) return undefined;
  const carried = a.kind() === 'ipv6' ? carriedIPv4(a as ipaddr.IPv6) : [];
  const classes = (carried.length ? carried : [a]).map(classOfOne);
  const cls = classes.reduce((x, y) => (RANK[y] > RANK[x] ? y : x));
  return { cls, carried: carried.map(String) };
}

/** The class of an IP address; anything that is not one counts as link-local, so it is refused. */
export function classify(address: string): AddressClass {
  return judge(address)?.cls ?? 'link-local';
}

export const isInward = (to: AddressClass, from: AddressClass) => RANK[to] > RANK[from];

/** The innermost class an address may have: the first URL may reach loopback, a redirect no further in than where it came from. */
export type Ceiling = 'public' | 'private' | 'loopback';

export interface Cidr {
  text: string;
  range: [Address, number];
}

/** `10.0.0.0/8`, `fd00::/8`, or a bare address (a /32 or /128). Undefined when unreadable. */
export function parseCidr(text: string): Cidr | undefined {
  const t = text.trim();
  const [addr = '', len, extra] = t.split('/');
  const a = parse(addr);
  if (!a || extra !== undefined || (len !== undefined && !/^\d{1,3}$/.test(len))) return undefined;
  const max = a.kind() === 'ipv4' ? 32 : 128;
  const prefix = len === undefined ? max : Number(len);
  if (prefix > max) return undefined;
  // ::ffff:a.b.c.d/96 and longer name IPv4 addresses, so they match them.
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= 96) {
    return { text: t, range: [(a as ipaddr.IPv6).toIPv4Address(), prefix - 96] };
  }
  return { text: t, range: [a, prefix] };
}

export function inCidr(address: string, cidr: Cidr): boolean {
  const a = parse(address);
  return a !== undefined && a.kind() === cidr.range[0].kind() && a.match(cidr.range);
}

export class AddressPolicy {
  readonly allowed: readonly Cidr[];

  constructor(allow: readonly string[] = []) {
    this.allowed = allow.map((t) => {
      const c = parseCidr(t);
      if (!c) throw new DownloadError('blocked_address', `--allow-address "${t}" is not an address or CIDR (e.g. 10.0.0.0/8, fd00::/8)`);
      return c;
    });
  }

  static parses(text: string): boolean {
    return parseCidr(text) !== undefined;
  }

  /** Listed itself, or every IPv4 address it carries is. */
  isAllowed(address: string): boolean {
    const listed = (a: string) => this.allowed.some((c) => inCidr(a, c));
    const carried = judge(address)?.carried ?? [];
    return listed(address) || (carried.length > 0 && carried.every(listed));
  }

  /** Why `address` (for `host`) may not be reached under `ceiling`; undefined when it may. */
  refusal(host: string, address: string, ceiling: Ceiling): DownloadError | undefined {
    if (this.isAllowed(address)) return undefined;
    const name = host === address ? address : `${host} (${address})`;
    const judged = judge(address);
    if (!judged) return new DownloadError('blocked_address', `${name} is not an IP address, so the address rules cannot judge it`);
    const { cls, carried } = judged;
    const widen = `allow it with --allow-address ${address}${address.includes(':') ? '/128' : '/32'}`;
    const what = carried.length ? `${name}, which carries IPv4 ${carried.join(' and ')},` : name;
    if (cls === 'link-local') {
      return new DownloadError('blocked_address', `${what} is link-local or cloud metadata and refused; ${widen}`);
    }
    if (isInward(cls, ceiling)) {
      const rule = `redirect from a ${ceiling} address to ${cls} ${what} refused (redirects may not move inward)`;
      return new DownloadError('blocked_address', `${rule}; ${widen}`);
    }
    return undefined;
  }

  /** The class a hop leaves for the next: allowed addresses count as public, so they widen nothing. */
  classOf(address: string): Ceiling {
    const cls = classify(address);
    return this.isAllowed(address) || cls === 'link-local' ? 'public' : cls;
  }
}
