import { describe, expect, it } from 'vitest';
import { consumerFrom, ledgerId, parseConsumer, queueConsumer } from '../../src/core/consumer.js';
import { interpretLegacy } from '../../src/core/claims.js';
import { resolveProcessConfig } from '../../src/features/process/config.js';

const now = 1_800_000_000_000;

describe('the ledger consumer', () => {
  it('is a record key prefix that the first # splits, whatever the key holds', () => {
    expect(ledgerId({ consumer: 'orders-billing', key: 'o-1' })).toBe('orders-billing#o-1');
    const id = ledgerId({ consumer: 'billing', key: '42#v2' });
    expect([id.slice(0, id.indexOf('#')), id.slice(id.indexOf('#') + 1)]).toEqual(['billing', '42#v2']);
  });

  it.each([
    ['orders-billing', true],
    ['orders.fifo', true],
    ['team:billing_v2', true],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    ['', false],
    ['bill#ing', false],
    ['billing ', false],
    ['b/c', false],
  ])('takes %j as a name: %s', (name, ok) => {
    if (ok) expect(parseConsumer(name)).toBe(name);
    else expect(() => parseConsumer(name)).toThrow(`--consumer "${name}" is not a consumer name`);
  });

  it('comes from the flag, else the variable (trimmed, empty is unset), naming the one that is wrong', () => {
    expect(consumerFrom('a', 'b')).toBe('a');
    expect(consumerFrom(undefined, ' b ')).toBe('b');
    expect(consumerFrom(undefined, '  ')).toBeUndefined();
    expect(consumerFrom(undefined, undefined)).toBeUndefined();
    expect(() => consumerFrom(undefined, 'x#y')).toThrow('SQSOPS_CONSUMER "x#y" is not a consumer name');
  });

  it("is a queue's name, from its name, URL or ARN", () => {
    expect(queueConsumer('orders')).toBe('orders');
    expect(queueConsumer('http://127.0.0.1:4577/000000000000/orders.fifo')).toBe('orders.fifo');
    expect(queueConsumer('arn:aws:sqs:us-east-1:123456789012:orders')).toBe('orders');
  });

  it('is set in process-sqs by --consumer over SQSOPS_CONSUMER; unset, the queue decides', () => {
    expect(resolveProcessConfig({}, {}).consumer).toBeUndefined();
    expect(resolveProcessConfig({ SQSOPS_CONSUMER: 'billing' }, {}).consumer).toBe('billing');
    expect(resolveProcessConfig({ SQSOPS_CONSUMER: 'billing' }, { consumer: 'shipping' }).consumer).toBe('shipping');
    expect(() => resolveProcessConfig({}, { consumer: 'a#b' })).toThrow('--consumer "a#b"');
  });
});

describe('interpretLegacy (a record from before consumers)', () => {
  it('binds every consumer as a record of its own would', () => {
    expect(interpretLegacy({ status: 'COMPLETED', payloadHash: 'h' }, 'h', now)).toEqual({ kind: 'duplicate', payloadMismatch: false });
    expect(interpretLegacy({ status: 'INPROGRESS', owner: 'old', leaseExpiresAt: now + 1 }, 'h', now)).toMatchObject({
      kind: 'inflight',
      owner: 'old',
    });
  });

  it('says nothing when absent, no longer binding, or a record of some consumer', () => {
    expect(interpretLegacy(undefined, 'h', now)).toBeUndefined();
    expect(interpretLegacy({ status: 'COMPLETED', expiresAt: now / 1000 - 1 }, 'h', now)).toBeUndefined();
    expect(interpretLegacy({ status: 'RELEASED' }, 'h', now)).toBeUndefined();
    expect(interpretLegacy({ status: 'COMPLETED', consumer: 'a' }, 'h', now)).toBeUndefined();
  });
});
