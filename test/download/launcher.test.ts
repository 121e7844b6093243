import { describe, expect, it } from 'vitest';
import { createLauncher } from '../../src/features/download/launcher.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('createLauncher', () => {
  it('runs every item, at most width at once, and returns results in input order', async () => {
    const launcher = createLauncher(3);
    let active = 0;
    let most = 0;
    const results = await launcher.run(10, async (i) => {
      most = Math.max(most, ++active);
      await new Promise((r) => setTimeout(r, (10 - i) % 4));
      active--;
      return i * 2;
    });
    expect(results).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(most).toBe(3);
  });

  it('starts the next item while one is parked, and counts it again when it unparks', async () => {
    const launcher = createLauncher(1);
    const started: number[] = [];
    let release!: () => void;
    const done = launcher.run(3, async (i) => {
      started.push(i);
      if (i === 0) {
        launcher.park();
        await new Promise<void>((r) => (release = r));
        launcher.unpark();
      }
      await tick();
      return i;
    });
    // Item 0 waits parked: 1 and 2 run meanwhile, one after the other.
    for (let k = 0; k < 10 && started.length < 3; k++) await tick();
    expect(started).toEqual([0, 1, 2]);
    release();
    expect(await done).toEqual([0, 1, 2]);
  });

  it('resolves an empty run and rejects when an item throws', async () => {
    expect(await createLauncher(2).run(0, async () => 1)).toEqual([]);
    await expect(createLauncher(2).run(3, async (i) => (i === 1 ? Promise.reject(new Error('bug')) : i))).rejects.toThrow('bug');
  });
});
