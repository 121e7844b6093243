import { describe, expect, it } from 'vitest';
import { compileKey, getPath } from '../../src/core/keys.js';
import { UsageError } from '../../src/core/errors.js';

const body = { orderId: 'o-1', version: 3, customer: { id: 'c-9' }, empty: '' };

describe('compileKey', () => {
  it('uses the message id by default', () => {
    expect(compileKey(undefined)({ messageId: 'm-1', body })).toEqual({ ok: true, key: 'm-1' });
    expect(compileKey('messageId')({ messageId: 'm-1', body })).toEqual({ ok: true, key: 'm-1' });
  });

  it('reads a field or a dotted path from the body', () => {
    expect(compileKey('orderId')({ messageId: 'm', body })).toEqual({ ok: true, key: 'o-1' });
    expect(compileKey('customer.id')({ messageId: 'm', body })).toEqual({ ok: true, key: 'c-9' });
  });

  it('fills a template from several fields', () => {
    expect(compileKey('{orderId}#{version}')({ messageId: 'm', body })).toEqual({ ok: true, key: 'o-1#3' });
  });

  it('reports a missing, empty or non-scalar field instead of inventing a key', () => {
    expect(compileKey('nope')({ messageId: 'm', body }).ok).toBe(false);
    expect(compileKey('empty')({ messageId: 'm', body }).ok).toBe(false);
    expect(compileKey('customer')({ messageId: 'm', body }).ok).toBe(false);
    expect(compileKey('{orderId}#{nope}')({ messageId: 'm', body }).ok).toBe(false);
    expect(compileKey('orderId')({ messageId: 'm', body: undefined }).ok).toBe(false);
  });

  it.each(['{orderId', 'a b', '{}', '{a b}', '..x'])('rejects the malformed spec %j', (spec) => {
    expect(() => compileKey(spec)).toThrow(UsageError);
  });
});

describe('getPath', () => {
  it('returns undefined through non-objects', () => {
    expect(getPath({ a: 1 }, 'a.b')).toBeUndefined();
    expect(getPath(null, 'a')).toBeUndefined();
  });
});
