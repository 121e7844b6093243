/** SQS's one purge per queue per 60 seconds, as a pure rule with its window given. */
import { describe, expect, it } from 'vitest';
import { PURGE_WINDOW_MS, purgeRefused, purgeRefusalMessage } from '../../src/local/purgeRule.js';

describe('purgeRefused', () => {
  it('allows the first purge of a queue', () => {
    expect(purgeRefused(undefined, 1_000)).toBe(false);
  });

  it('refuses another purge inside the window, and allows one once it has passed', () => {
    expect(PURGE_WINDOW_MS).toBe(60_000);
    expect(purgeRefused(0, 1)).toBe(true);
    expect(purgeRefused(0, 59_999)).toBe(true);
    expect(purgeRefused(0, 60_000)).toBe(false);
  });

  it('takes its window as given', () => {
    expect(purgeRefused(1_000, 1_400, 500)).toBe(true);
    expect(purgeRefused(1_000, 1_500, 500)).toBe(false);
  });

  it('says what SQS says', () => {
    expect(purgeRefusalMessage('orders')).toBe('Only one PurgeQueue operation on orders is allowed every 60 seconds.');
  });
});
