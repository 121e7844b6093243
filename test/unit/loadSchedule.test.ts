import { describe, expect, it } from 'vitest';
import { describeRate, dueBy, parseDuration, parseRate, rateAt } from '../../src/core/rateSchedule.js';
import { UsageError } from '../../src/core/errors.js';

describe('load schedules', () => {
  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['250ms', 250],
    ['1.5s', 1500],
  ])('parses the duration %s', (raw, ms) => {
    expect(parseDuration('--duration', raw)).toBe(ms);
  });

  it.each(['', '0', '-3s', '5 minutes', 'abc'])('refuses the duration "%s" with a one-line UsageError', (raw) => {
    expect(() => parseDuration('--duration', raw)).toThrow(UsageError);
  });

  it('reads a steady rate and asks for rate x time messages', () => {
    const s = parseRate('500');
    expect(s).toEqual({ from: 500, to: 500, rampMs: 0, steps: 0 });
    expect(dueBy(s, 2000)).toBe(1000);
    expect(rateAt(s, 123_456)).toBe(500);
    expect(describeRate(s)).toBe('500 msg/s');
  });

  it('reads a ramp and integrates it: the area under a line from 100 to 2000 over 60 s', () => {
    const s = parseRate('100..2000/60s');
    expect(s).toMatchObject({ from: 100, to: 2000, rampMs: 60_000 });
    expect(rateAt(s, 0)).toBe(100);
    expect(rateAt(s, 30_000)).toBe(1050);
    expect(rateAt(s, 90_000)).toBe(2000);
    expect(dueBy(s, 60_000)).toBeCloseTo(((100 + 2000) / 2) * 60, 6);
    // After the ramp it holds the end rate.
    expect(dueBy(s, 70_000) - dueBy(s, 60_000)).toBeCloseTo(20_000, 6);
  });

  it('cuts a ramp into equal steps from the start rate to the end rate', () => {
    const s = parseRate('100..400/40s', 4);
    expect([0, 10_000, 20_000, 30_000, 39_999].map((t) => rateAt(s, t))).toEqual([100, 200, 300, 400, 400]);
    expect(dueBy(s, 40_000)).toBeCloseTo((100 + 200 + 300 + 400) * 10, 6);
    expect(dueBy(s, 15_000)).toBeCloseTo(100 * 10 + 200 * 5, 6);
    expect(describeRate(s)).toBe('100..400 msg/s over 40 s (4 steps)');
  });

  it.each(['0', 'fast', '100..', '100..200', '100..200/0s', '0..200/10s'])('refuses the rate "%s" and says how to write one', (raw) => {
    try {
      parseRate(raw);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).message).not.toContain('\n');
    }
  });
});
