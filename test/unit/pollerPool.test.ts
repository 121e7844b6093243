import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { PollerPool } from '../../src/features/process/pollerPool.js';

describe('PollerPool', () => {
  it('starts pollers on growth, lets the extra ones leave at the top of their loop, and settles when all are back', async () => {
    let stop = false;
    let running = 0;
    let peak = 0;
    const pool = new PollerPool(async (leave) => {
      running++;
      peak = Math.max(peak, running);
      while (!stop && !leave()) await sleep(5);
      running--;
    });
    pool.resize(2);
    await sleep(20);
    expect(running).toBe(2);
    pool.resize(6);
    await sleep(20);
    expect([running, pool.size]).toEqual([6, 6]);
    pool.resize(3);
    await sleep(30);
    expect([running, pool.size]).toEqual([3, 3]);
    pool.resize(4);
    await sleep(20);
    expect(running).toBe(4);
    stop = true;
    await pool.settled();
    expect([running, peak]).toEqual([0, 6]);
  });
});
