import { describe, expect, it } from 'vitest';
import { nextPollers, type ScaleInput } from '../../src/core/autoscale.js';

const base: ScaleInput = { pollers: 4, min: 1, max: 32, targetAgeSeconds: 30, fills: [], backlog: null, oldestAgeSeconds: null };
const full = [1, 1, 1, 1];

describe('nextPollers', () => {
  it.each<[string, Partial<ScaleInput>, number, string]>([
    [
      'doubles on full receives with a backlog',
      { fills: full, backlog: 500, oldestAgeSeconds: 35 },
      8,
      'receives full, backlog 500, oldest 35 s over the 30 s target',
    ],
    [
      'doubles on full receives under the target too',
      { fills: full, backlog: 500, oldestAgeSeconds: 3 },
      8,
      'receives full, backlog 500, oldest 3 s under the 30 s target',
    ],
    ['doubles when the backlog is unknown', { fills: full }, 8, 'receives full'],
    [
      'grows to take the backlog in ten rounds',
      { fills: full, backlog: 1240, oldestAgeSeconds: 35 },
      13,
      'receives full, backlog 1,240, oldest 35 s over the 30 s target',
    ],
    ['meets a burst in one step', { fills: full, backlog: 3000, pollers: 1 }, 30, 'receives full, backlog 3,000'],
    ['grows no further than the batches waiting', { fills: full, backlog: 20 }, 6, 'receives full, backlog 20'],
    ['grows by one at least', { fills: full, backlog: 1, pollers: 4 }, 5, 'receives full, backlog 1'],
    ['stops at the max', { fills: full, backlog: 9000, pollers: 20 }, 32, 'receives full, backlog 9,000'],
    ['holds at the max', { fills: full, backlog: 9000, pollers: 32 }, 32, ''],
    ['holds on full receives when the queue is known empty', { fills: full, backlog: 0 }, 4, ''],
    [
      'grows on part-full receives over the target',
      { fills: [0.5, 0.6], backlog: 300, oldestAgeSeconds: 90 },
      8,
      'receives 55% full, backlog 300, oldest 90 s over the 30 s target',
    ],
    ['holds part-full receives under the target', { fills: [0.5, 0.6], backlog: 300, oldestAgeSeconds: 10 }, 4, ''],
    ['never shrinks over the target', { fills: [0, 0, 0.1], backlog: 0, oldestAgeSeconds: 45 }, 4, ''],
    ['halves on empty receives', { fills: [0, 0, 0, 0], backlog: 0 }, 2, 'receives empty, backlog 0'],
    ['halves no lower than the min', { fills: [0, 0], pollers: 3, min: 2 }, 2, 'receives empty'],
    [
      'sheds a quarter on mostly empty receives',
      { fills: [0.1, 0.2, 0, 0.1], pollers: 8, oldestAgeSeconds: 1 },
      6,
      'receives 10% full, oldest 1 s under the 30 s target',
    ],
    ['sheds one at least', { fills: [0.1], pollers: 2 }, 1, 'receives 10% full'],
    ['holds at the min', { fills: [0, 0], pollers: 1 }, 1, ''],
    ['holds when no receive came back', { fills: [], backlog: 5000, oldestAgeSeconds: 999 }, 4, ''],
    ['comes back inside the bounds first', { pollers: 40, fills: full }, 32, 'kept between 1 and 32'],
    ['comes up to the min first', { pollers: 1, min: 3, fills: [0] }, 3, 'kept between 3 and 32'],
  ])('%s', (_name, given, pollers, reason) => {
    expect(nextPollers({ ...base, ...given })).toEqual({ pollers, reason });
  });

  it('never leaves the bounds, whatever it sees', () => {
    for (let pollers = 1; pollers <= 10; pollers++) {
      for (const fill of [0, 0.2, 0.5, 0.95, 1]) {
        for (const age of [null, 1, 100]) {
          const next = nextPollers({ ...base, pollers, min: 1, max: 10, fills: [fill], backlog: 50, oldestAgeSeconds: age });
          expect(next.pollers).toBeGreaterThanOrEqual(1);
          expect(next.pollers).toBeLessThanOrEqual(10);
          expect(next.reason === '').toBe(next.pollers === pollers);
        }
      }
    }
  });
});
