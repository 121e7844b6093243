import { describe, expect, it } from 'vitest';
import { planBatches, messageBytes, MAX_REQUEST_BYTES } from '../../src/core/batching.js';

const sized = (bytes: number[]) => bytes.map((b, i) => ({ id: i, bytes: b }));

describe('planBatches', () => {
  it('puts at most 10 entries in a batch', () => {
    const { batches } = planBatches(sized(Array(25).fill(100)));
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
  });

  it('starts a new batch before the request byte cap is crossed', () => {
    const third = Math.floor(MAX_REQUEST_BYTES / 3);
    const { batches } = planBatches(sized([third, third, third, third, 10]));
    expect(batches.map((b) => b.length)).toEqual([3, 2]);
    for (const b of batches) expect(b.reduce((s, e) => s + e.bytes, 0)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
  });

  it('sets aside entries that alone exceed the cap and keeps the order of the rest', () => {
    const { batches, oversized } = planBatches(sized([1, MAX_REQUEST_BYTES + 1, 2, 3]));
    expect(oversized.map((e) => e.id)).toEqual([1]);
    expect(batches.flat().map((e) => e.id)).toEqual([0, 2, 3]);
  });

  it('returns no batches for no entries', () => {
    expect(planBatches([]).batches).toEqual([]);
  });
});

describe('messageBytes', () => {
  it('counts UTF-8 bytes of the body, not characters', () => {
    expect(messageBytes('ñ€')).toBe(5);
  });

  it('adds attribute names, types and values', () => {
    expect(messageBytes('ab', { k: { DataType: 'String', StringValue: 'vv' } })).toBe(2 + 1 + 6 + 2);
  });
});
