/** The address rules as pure functions: classes, CIDRs, and which moves a redirect may make. */
import { describe, expect, it } from 'vitest';
import { AddressPolicy, classify, inCidr, parseCidr } from '../../src/features/download/addresses.js';

describe('address rules', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2001:db8::1', 'public'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.0.10', 'private'],
    ['fd12::1', 'private'],
    ['127.0.0.2', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'link-local'],
  ])('classifies %s as %s', (address, cls) => {
    expect(classify(address)).toBe(cls);
  });

  it('reads CIDRs and bare addresses, and refuses what is neither', () => {
    expect(inCidr('10.9.8.7', parseCidr('10.0.0.0/8')!)).toBe(true);
    expect(inCidr('11.0.0.1', parseCidr('10.0.0.0/8')!)).toBe(false);
    expect(inCidr('fd00:ec2::254', parseCidr('fd00:ec2::254')!)).toBe(true);
    expect(inCidr('10.0.0.1', parseCidr('fd00::/8')!)).toBe(false);
    expect(['10.0.0.0/33', 'x', '1.2.3.4/8/1', ''].map((t) => parseCidr(t))).toEqual([undefined, undefined, undefined, undefined]);
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
});
