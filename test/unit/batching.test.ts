import { describe, expect, it } from 'vitest';
import {
  BatchPacker,
  entryBatches,
  MAX_REQUEST_BYTES,
  messageBytes,
  planBatches,
  TRUNCATED_MARKER,
  truncateToBytes,
  withStringAttribute,
} from '../../src/core/batching.js';

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

describe('BatchPacker and entryBatches', () => {
  it('closes a batch when the next entry would not fit, and flushes the last', () => {
    const packer = new BatchPacker<{ bytes: number }>({ maxBytes: 10 });
    expect(packer.add({ bytes: 6 })).toBeUndefined();
    expect(packer.add({ bytes: 5 })).toEqual([{ bytes: 6 }]);
    expect(packer.flush()).toEqual([{ bytes: 5 }]);
    expect(packer.flush()).toBeUndefined();
  });

  it('cuts bodiless calls by entries alone', () => {
    expect(entryBatches(Array.from({ length: 23 }, (_, i) => i)).map((b) => b.length)).toEqual([10, 10, 3]);
  });
});

describe('messageBytes with binary attributes', () => {
  it('counts a binary value as the base64 text it travels as', () => {
    expect(messageBytes('', { b: { DataType: 'Binary', BinaryValue: new Uint8Array(4) } })).toBe(1 + 6 + 8);
  });
});

describe('withStringAttribute', () => {
  const note = 'x'.repeat(1000);

  it('adds the attribute whole when the message has room', () => {
    const attrs = withStringAttribute('body', {}, 'sqsops.error', 'why');
    expect(attrs).toEqual({ 'sqsops.error': { DataType: 'String', StringValue: 'why' } });
  });

  it('shortens it with a marker so the message is exactly within the limit', () => {
    const body = 'b'.repeat(MAX_REQUEST_BYTES - 500);
    const attrs = withStringAttribute(body, {}, 'sqsops.error', note);
    expect(attrs['sqsops.error']!.StringValue!.endsWith(TRUNCATED_MARKER)).toBe(true);
    expect(messageBytes(body, attrs)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(messageBytes(body, attrs)).toBeGreaterThan(MAX_REQUEST_BYTES - 4);
  });

  it('leaves it out when even the marker does not fit', () => {
    const body = 'b'.repeat(MAX_REQUEST_BYTES);
    expect(withStringAttribute(body, {}, 'sqsops.error', note)).toEqual({});
  });

  it('replaces an old note, and leaves a message with 10 other attributes alone', () => {
    const old = { 'sqsops.error': { DataType: 'String', StringValue: 'old' } };
    expect(withStringAttribute('b', old, 'sqsops.error', 'new')['sqsops.error']!.StringValue).toBe('new');
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
    expect(Object.keys(withStringAttribute('b', ten, 'sqsops.error', 'new'))).toHaveLength(10);
  });

  it('never splits a character when it shortens', () => {
    expect(truncateToBytes('aé😀', 5)).toBe('aé');
    expect(truncateToBytes('😀😀', 3)).toBe('');
    expect(truncateToBytes('abc', 10)).toBe('abc');
  });
});
