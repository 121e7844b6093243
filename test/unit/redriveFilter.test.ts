import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/core/redriveFilter.js';

const msg = (body: string, attrs: Record<string, string> = {}) => ({
  body,
  attributes: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
});
const order = msg('{"orderId":"abc","total":12.5,"paid":true,"customer":{"id":"c1"},"note":null}', { eventType: 'OrderCreated' });

describe('redrive filters', () => {
  it.each([
    [['body.orderId=abc'], true],
    [['body.orderId=abd'], false],
    [['body.total=12.5'], true],
    [['body.paid=true'], true],
    [['body.note=null'], true],
    [['body.customer.id=c1'], true],
    [['body.customer=c1'], false],
    [['body.missing=x'], false],
    [['body.missing!=x'], true],
    [['attr.eventType=OrderCreated'], true],
    [['attr.eventType!=OrderCreated'], false],
    [['attr.eventType=OrderCreated', 'body.orderId=abc'], true],
    [['attr.eventType=OrderCreated', 'body.orderId=zzz'], false],
    [['body.orderId=a=b'], false],
  ])('%j matches the order: %s', (exprs, expected) => {
    expect(compileFilter(exprs)!(order)).toBe(expected);
  });

  it('matches an empty value and values with = in them', () => {
    expect(compileFilter(['body.k='])!(msg('{"k":""}'))).toBe(true);
    expect(compileFilter(['body.k=a=b'])!(msg('{"k":"a=b"}'))).toBe(true);
  });

  it('finds no fields in a body that is not JSON', () => {
    expect(compileFilter(['body.orderId=abc'])!(msg('orderId=abc'))).toBe(false);
  });

  it('has no filter when none is given', () => {
    expect(compileFilter([])).toBeUndefined();
    expect(compileFilter(undefined)).toBeUndefined();
  });

  it.each([['orderId=abc'], ['body.=x'], ['body.a..b=x'], ['attr.name'], ['headers.x=1']])(
    'rejects %j with one line and a hint',
    (expr) => {
      expect(() => compileFilter([expr])).toThrow(/is not a filter expression|names no field/);
    },
  );
});
