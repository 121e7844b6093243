import { describe, expect, it } from 'vitest';
import { retryRemaining } from '../../src/core/retry.js';

const fast = { baseMs: 1, capMs: 1 };

describe('retryRemaining', () => {
  it('sends again only what is left, until nothing is', async () => {
    const seen: number[][] = [];
    const r = await retryRemaining(
      [1, 2, 3],
      async (pending) => {
        seen.push(pending);
        return pending.slice(1);
      },
      fast,
    );
    expect(r).toEqual({ left: [] });
    expect(seen).toEqual([[1, 2, 3], [2, 3], [3]]);
  });

  it('returns what is still left when the attempts run out, without an error', async () => {
    let attempts = 0;
    const r = await retryRemaining(
      [1, 2],
      async (pending) => {
        attempts++;
        return pending;
      },
      { ...fast, maxAttempts: 3 },
    );
    expect(attempts).toBe(3);
    expect(r).toEqual({ left: [1, 2] });
  });

  it('stops at once on a fatal error, and retries any other', async () => {
    const fatal = new Error('no such queue');
    let calls = 0;
    const r = await retryRemaining(
      [1],
      async () => {
        calls++;
        throw fatal;
      },
      { ...fast, isFatal: (e) => e === fatal },
    );
    expect(calls).toBe(1);
    expect(r).toEqual({ left: [1], error: fatal });
    calls = 0;
    const flaky = await retryRemaining([1], async () => (++calls < 3 ? Promise.reject(new Error('reset')) : []), fast);
    expect(calls).toBe(3);
    expect(flaky).toEqual({ left: [] });
  });
});
