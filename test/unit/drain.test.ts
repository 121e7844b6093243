import { describe, expect, it } from 'vitest';
import { DrainPace, drained } from '../../src/core/drain.js';

describe('drained', () => {
  it.each([
    [{ visible: 0, delayed: 0, notVisible: 0 }, 0, true],
    [{ visible: 0, delayed: 0, notVisible: 2 }, 2, true],
    [{ visible: 0, delayed: 0, notVisible: 3 }, 2, false],
    [{ visible: 1, delayed: 0, notVisible: 0 }, 5, false],
    [{ visible: 0, delayed: 1, notVisible: 0 }, 5, false],
  ])('%o with %i of ours in flight: %s', (counters, ours, expected) => {
    expect(drained(counters, ours)).toBe(expected);
  });
});

describe('DrainPace', () => {
  it('gives one long poll at a time until messages flow, then short receives', async () => {
    const pace = new DrainPace();
    expect(await pace.turn()).toBe('long');
    let second: string | undefined;
    const waiting = pace.turn().then((t) => (second = t));
    await Promise.resolve();
    expect(second).toBeUndefined();
    pace.received('long', 3);
    await waiting;
    expect(second).toBe('short');
  });

  it('goes back to one long poll when the counters say more may come, and stops every poller at once', async () => {
    const pace = new DrainPace();
    pace.received(await pace.turn(), 1);
    pace.expect();
    expect(await pace.turn()).toBe('long');
    const waiting = pace.turn();
    pace.stop();
    expect(await waiting).toBe('stop');
    expect(await pace.turn()).toBe('stop');
  });

  it('wakes a poller waiting for a settle when the run settles, not when another poller receives', async () => {
    const pace = new DrainPace();
    let woke = false;
    const waiting = pace.settled(60_000).then(() => (woke = true));
    pace.received('short', 1);
    await new Promise((r) => setTimeout(r, 10));
    expect(woke).toBe(false);
    pace.wake();
    await waiting;
    expect(woke).toBe(true);
  });
});
