import { describe, expect, it } from 'vitest';
import { parseIntFlag, parseRatioFlag } from '../../src/core/flags.js';

describe('flag parsers', () => {
  it.each([
    ['5', 5],
    [' 12 ', 12],
  ])('parses the whole number %j', (raw, n) => expect(parseIntFlag('--count', raw, { min: 1 })).toBe(n));

  it.each(['0', '-1', '1.5', 'ten', '', '1e3x', '1e2', '0x50', '0b1', '101'])('rejects %j with the flag name and the range', (raw) => {
    expect(() => parseIntFlag('--count', raw, { min: 1, max: 100 })).toThrow(/^--count must be a whole number from 1 to 100/);
  });

  it('names the upper bound when a number is past every safe integer', () => {
    expect(() => parseIntFlag('--max', '99999999999999999999', { min: 1 })).toThrow(
      /^--max must be a whole number from 1 to 9007199254740991/,
    );
  });

  it('parses ratios from 0 to 1 and rejects the rest', () => {
    expect(parseRatioFlag('--invalid', '0.25')).toBe(0.25);
    expect(() => parseRatioFlag('--invalid', '1.5')).toThrow(/ratio from 0 to 1/);
    expect(() => parseRatioFlag('--invalid', '10%')).toThrow(/ratio from 0 to 1/);
  });
});
