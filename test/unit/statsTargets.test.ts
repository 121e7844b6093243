/** The verdicts stats shows against --workers and --target-age. */
import { describe, expect, it } from 'vitest';
import { ageVerdict, backlogPerWorker } from '../../src/features/stats/targets.js';

describe('backlogPerWorker', () => {
  it('splits what is waiting (visible and delayed) between the workers, rounded up', () => {
    expect(backlogPerWorker({ visible: 10, delayed: 0 }, 4)).toBe(3);
    expect(backlogPerWorker({ visible: 6, delayed: 2 }, 4)).toBe(2);
    expect(backlogPerWorker({ visible: 0, delayed: 0 }, 3)).toBe(0);
  });
});

describe('ageVerdict', () => {
  it('says over only past the target, and unknown when the age is unknown', () => {
    expect(ageVerdict(120, 120)).toBe('within');
    expect(ageVerdict(121, 120)).toBe('over');
    expect(ageVerdict(null, 120)).toBe('unknown');
  });
});
