/** The address rules as pure functions: classes, CIDRs, and which moves a redirect may make. */
import { describe, expect, it } from 'vitest';
import { AddressPolicy, classify, inCidr, judge, parseCidr } from '../../src/features/download/addresses.js';

describe('address rules', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2600::1', 'public'],
    ['192.175.48.6', 'public'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.0.10', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12::1', 'private'],
    ['127.0.0.2', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'loopback'],
    ['0.1.2.3', 'loopback'],
    ['::', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'link-local'],
  ])('classifies %s as %s', (address, cls) => {
    expect(classify(address)).toBe(cls);
  });

  // Not routed on the internet: whatever answers there is on a network near us.
  it.each([
    ['fec0::1', 'site-local'],
    ['fc00::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['ff0e::1', 'multicast'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['100::1', 'discard-only'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.2', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['2001:2::1', 'benchmarking'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.170', 'IETF protocol assignment'],
    ['2001:20::1', 'ORCHID'],
    ['5f00::1', 'segment routing'],
  ])('classifies %s (%s) as private', (address) => {
    expect(classify(address)).toBe('private');
  });

  it.each([
    ['::ffff:169.254.169.254', 'IPv4-mapped'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped, in hex'],
    ['0:0:0:0:0:ffff:169.254.169.254', 'IPv4-mapped, uncompressed'],
    ['[::ffff:a9fe:a9fe]', 'IPv4-mapped, as a URL writes it'],
    ['::169.254.169.254', 'IPv4-compatible'],
    ['::a9fe:a9fe', 'IPv4-compatible, in hex'],
    ['::ffff:0:a9fe:a9fe', 'IPv4-translated'],
    ['64:ff9b::a9fe:a9fe', 'NAT64'],
    ['64:ff9b::169.254.169.254', 'NAT64, dotted'],
    ['64:ff9b:1::a9fe:a9fe', 'NAT64 local-use'],
    ['2002:a9fe:a9fe::', '6to4'],
    ['2002:a9fe:a9fe:1::5', '6to4, a host behind it'],
    ['2001:0:808:808::5601:5601', 'Teredo, the client (inverted)'],
    ['2001:0:a9fe:a9fe::', 'Teredo, the server'],
  ])('judges %s (%s) by the metadata address it carries', (address) => {
    expect(classify(address)).toBe('link-local');
    expect(judge(address)?.carried).toContain('169.254.169.254');
  });

  it.each([
    ['::ffff:7f00:1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['2001:0:808:808::80ff:fffe', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::c0a8:1', 'private'],
    ['2002:a00:1::', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::808:808', 'public'],
    ['2002:808:808::1', 'public'],
    ['2001:0:808:808::f7f7:f7f7', 'public'],
  ])('judges %s by the IPv4 address it carries: %s', (address, cls) => {
    expect(classify(address)).toBe(cls);
  });

  it('reads both IPv4 addresses of a Teredo address, the server first, and judges it by the innermost', () => {
    expect(judge('2001:0:808:808::80ff:fffe')).toEqual({ cls: 'loopback', carried: ['8.8.8.8', '127.0.0.1'] });
    expect(judge('2001:db8::1')).toEqual({ cls: 'private', carried: [] });
  });

  it.each([
    ['2852039166', 'link-local'],
    ['0xa9fea9fe', 'link-local'],
    ['0251.0376.0251.0376', 'link-local'],
    ['0xa9.0xfe.0xa9.0xfe', 'link-local'],
    ['2130706433', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['10.1', 'private'],
  ])('judges the IPv4 form http://%s/ by the address the URL parser makes of it: %s', (host, cls) => {
    expect(classify(new URL(`http://${host}/`).hostname)).toBe(cls);
  });

  it('refuses what is not an IP address rather than guessing its class', () => {
    expect(classify('metadata.test')).toBe('link-local');
    expect(new AddressPolicy().refusal('x', 'x', 'loopback')?.message).toBe('x is not an IP address, so the address rules cannot judge it');
  });

  it('reads CIDRs and bare addresses, and refuses what is neither', () => {
    expect(inCidr('10.9.8.7', parseCidr('10.0.0.0/8')!)).toBe(true);
    expect(inCidr('11.0.0.1', parseCidr('10.0.0.0/8')!)).toBe(false);
    expect(inCidr('fd00:ec2::254', parseCidr('fd00:ec2::254')!)).toBe(true);
    expect(inCidr('10.0.0.1', parseCidr('fd00::/8')!)).toBe(false);
    expect(inCidr('10.1.2.3', parseCidr('::ffff:10.0.0.0/104')!)).toBe(true);
    // `10/8` would be 0.0.0.10/8 to an inet_aton reader: only dotted quads are read.
    expect(['10.0.0.0/33', 'x', '1.2.3.4/8/1', '', '10/8', '0x7f.1'].map((t) => parseCidr(t))).toEqual(Array(6).fill(undefined));
  });

  it('lets a redirect stay or move outward but not inward, unless the target is allowed', () => {
    const policy = new AddressPolicy();
    expect(policy.refusal('a', '10.0.0.1', 'private')).toBeUndefined();
    expect(policy.refusal('a', '8.8.8.8', 'private')).toBeUndefined();
    expect(policy.refusal('a', '127.0.0.1', 'private')?.message).toBe(
      'redirect from a private address to loopback a (127.0.0.1) refused (redirects may not move inward); allow it with --allow-address 127.0.0.1/32',
    );
    expect(policy.refusal('a', '10.0.0.1', 'public')?.code).toBe('blocked_address');
    expect(policy.refusal('a', '169.254.169.254', 'loopback')?.code).toBe('blocked_address');
    const wide = new AddressPolicy(['127.0.0.0/8', '169.254.169.254']);
    expect(wide.refusal('a', '127.0.0.1', 'public')).toBeUndefined();
    expect(wide.refusal('a', '169.254.169.254', 'public')).toBeUndefined();
    expect(wide.classOf('127.0.0.1')).toBe('public');
  });

  it('says which IPv4 address an IPv6 one carries when it refuses it', () => {
    const policy = new AddressPolicy();
    expect(policy.refusal('::ffff:a9fe:a9fe', '::ffff:a9fe:a9fe', 'loopback')?.message).toBe(
      '::ffff:a9fe:a9fe, which carries IPv4 169.254.169.254, is link-local or cloud metadata and refused; ' +
        'allow it with --allow-address ::ffff:a9fe:a9fe/128',
    );
    expect(policy.refusal('h.test', '2002:7f00:1::', 'public')?.message).toBe(
      'redirect from a public address to loopback h.test (2002:7f00:1::), which carries IPv4 127.0.0.1, refused ' +
        '(redirects may not move inward); allow it with --allow-address 2002:7f00:1::/128',
    );
    expect(policy.refusal('a', '::ffff:7f00:1', 'loopback')).toBeUndefined();
    expect(policy.classOf('64:ff9b::a00:1')).toBe('private');
  });

  it('allows an IPv6 address that is listed, or whose every carried IPv4 address is', () => {
    expect(new AddressPolicy(['169.254.169.254']).refusal('a', '::ffff:a9fe:a9fe', 'public')).toBeUndefined();
    expect(new AddressPolicy(['::ffff:169.254.169.254']).refusal('a', '169.254.169.254', 'public')).toBeUndefined();
    expect(new AddressPolicy(['64:ff9b::/96']).refusal('a', '64:ff9b::a9fe:a9fe', 'public')).toBeUndefined();
    // A Teredo address whose server is allowed still reaches its client.
    const teredo = '2001:0:808:808::5601:5601';
    expect(new AddressPolicy(['8.8.8.8']).refusal('a', teredo, 'public')?.code).toBe('blocked_address');
    expect(new AddressPolicy(['8.8.8.8', '169.254.0.0/16']).refusal('a', teredo, 'public')).toBeUndefined();
  });
});
