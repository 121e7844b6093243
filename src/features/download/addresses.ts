/**
 * Which addresses a download may connect to, as pure rules. A URL comes from a message,
 * so whoever wrote the message chooses where we connect: a redirect into this machine
 * once saved the local AWS's bucket list as a file. So, checked on the address a name
 * resolved to (never on the name):
 *  - link-local and cloud metadata addresses are refused outright;
 *  - a redirect may not move inward: public, then private, then loopback.
 * Addresses inside an `--allow-address` CIDR pass both rules.
 */
import { isIP } from 'node:net';
import { DownloadError } from './errors.js';

/** From outermost to innermost; `link-local` is never reached by a redirect or a URL unless allowed. */
export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local';
const RANK: Record<AddressClass, number> = { public: 0, private: 1, loopback: 2, 'link-local': 3 };

export interface Cidr {
  text: string;
  v6: boolean;
  bits: bigint;
  prefix: number;
}

/** An address as a number (IPv4-mapped IPv6 becomes IPv4), or undefined if it is not one. */
function toBits(address: string): { v6: boolean; bits: bigint } | undefined {
  const bare = address.startsWith('[') ? address.slice(1, -1) : address;
  const kind = isIP(bare);
  if (kind === 4) return { v6: false, bits: bare.split('.').reduce((n, p) => (n << 8n) | BigInt(Number(p)), 0n) };
  if (kind !== 6) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return toBits(mapped[1]!);
  let text = bare.split('%')[0]!;
  // An embedded dotted quad at the end counts as the last two groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const v4 = toBits(quad[1]!)!.bits;
    text = `${text.slice(0, -quad[1]!.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return { v6: true, bits: groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g || '0', 16)), 0n) };
}

/** `10.0.0.0/8`, `fd00::/8`, or a bare address (a /32 or /128). Undefined when unreadable. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr = '', len, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const a = toBits(addr);
  if (!a) return undefined;
  const max = a.v6 ? 128 : 32;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return undefined;
  const prefix = len === undefined ? max : Number(len);
  if (prefix > max) return undefined;
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(max - prefix);
  return { text: text.trim(), v6: a.v6, bits: a.bits & mask, prefix };
}

export function inCidr(address: string, cidr: Cidr): boolean {
  const a = toBits(address);
  if (!a || a.v6 !== cidr.v6) return false;
  const max = a.v6 ? 128 : 32;
  return a.bits >> BigInt(max - cidr.prefix) === cidr.bits >> BigInt(max - cidr.prefix) || cidr.prefix === 0;
}

const cidrs = (list: string[]) => list.map((t) => parseCidr(t)!);
const LINK_LOCAL = cidrs(['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128']);
// 0.0.0.0 and :: reach this machine on Linux, so they count as loopback.
const LOOPBACK = cidrs(['127.0.0.0/8', '0.0.0.0/8', '::1/128', '::/128']);
const PRIVATE = cidrs(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7']);

export function classify(address: string): AddressClass {
  if (LINK_LOCAL.some((c) => inCidr(address, c))) return 'link-local';
  if (LOOPBACK.some((c) => inCidr(address, c))) return 'loopback';
  if (PRIVATE.some((c) => inCidr(address, c))) return 'private';
  return 'public';
}

export const isInward = (to: AddressClass, from: AddressClass) => RANK[to] > RANK[from];

/** The innermost class an address may have: the first URL may reach loopback, a redirect no further in than where it came from. */
export type Ceiling = 'public' | 'private' | 'loopback';

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

  isAllowed(address: string): boolean {
    return this.allowed.some((c) => inCidr(address, c));
  }

  /** Why `address` (for `host`) may not be reached under `ceiling`; undefined when it may. */
  refusal(host: string, address: string, ceiling: Ceiling): DownloadError | undefined {
    if (this.isAllowed(address)) return undefined;
    const cls = classify(address);
    const widen = `allow it with --allow-address ${address}${address.includes(':') ? '/128' : '/32'}`;
    const name = host === address ? address : `${host} (${address})`;
    if (cls === 'link-local') {
      return new DownloadError('blocked_address', `${name} is link-local or cloud metadata and refused; ${widen}`);
    }
    if (isInward(cls, ceiling)) {
      const rule = `redirect from a ${ceiling} address to ${cls} ${name} refused (redirects may not move inward)`;
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
