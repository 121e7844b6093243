/** The rule `tail` starts by: a run may not be able to push a message past its queue's maxReceiveCount. */
import { describe, expect, it } from 'vitest';
import { pollsWithin, tailRisk } from '../../src/core/tailBudget.js';

describe('tailRisk', () => {
  it('lets any run watch a queue without a redrive policy', () => {
    expect(tailRisk({})).toBeUndefined();
    expect(tailRisk({ maxPolls: 10_000 })).toBeUndefined();
  });

  it('refuses an endless run on a queue with one', () => {
    expect(tailRisk({ maxReceiveCount: 5 })).toMatch(/no end: after 5 receives it goes to the DLQ/);
  });

  it('allows a run whose polls leave the consumer at least one receive', () => {
    expect(tailRisk({ maxPolls: 4, maxReceiveCount: 5 })).toBeUndefined();
    expect(tailRisk({ maxPolls: 5, maxReceiveCount: 5 })).toMatch(/up to 5 times in this run/);
  });
});

describe('pollsWithin', () => {
  it.each([
    [0, 5, 1],
    [4, 5, 1],
    [5, 5, 2],
    [19, 5, 4],
    [20, 5, 5],
  ])('%i s at one poll per %i s: %i polls', (duration, interval, polls) => {
    expect(pollsWithin(duration, interval)).toBe(polls);
  });
});
