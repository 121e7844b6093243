import { describe, expect, it } from 'vitest';
import { resolveProcessConfig, type ProcessFlags } from '../../src/features/process/config.js';

describe('process-sqs --concurrency', () => {
  it.each<[string, ProcessFlags, object]>([
    ['a fixed number', { concurrency: '8' }, { concurrency: 8, autoscale: undefined }],
    ['the default', {}, { concurrency: 4, autoscale: undefined }],
    [
      'auto with its defaults, starting at the min',
      { concurrency: 'auto' },
      { concurrency: 1, autoscale: { min: 1, max: 32, targetAgeSeconds: 30 } },
    ],
    [
      'auto with bounds and a target',
      { concurrency: ' auto ', minConcurrency: '2', maxConcurrency: '16', targetAge: '60' },
      { concurrency: 2, autoscale: { min: 2, max: 16, targetAgeSeconds: 60 } },
    ],
    [
      'auto with min equal to max',
      { concurrency: 'auto', minConcurrency: '5', maxConcurrency: '5' },
      { concurrency: 5, autoscale: { min: 5, max: 5, targetAgeSeconds: 30 } },
    ],
  ])('takes %s', (_name, flags, expected) => {
    const c = resolveProcessConfig({}, flags);
    expect({ concurrency: c.concurrency, autoscale: c.autoscale }).toMatchObject(expected);
  });

  it.each<[ProcessFlags, string]>([
    [{ concurrency: 'fast' }, '--concurrency must be "auto" or a whole number from 1 to 100, not "fast"'],
    [{ concurrency: '0' }, '--concurrency must be a whole number from 1 to 100, not "0"'],
    [{ concurrency: '101' }, '--concurrency must be a whole number from 1 to 100, not "101"'],
    [{ concurrency: '4', maxConcurrency: '8' }, '--max-concurrency goes with --concurrency auto, not a fixed --concurrency 4'],
    [{ targetAge: '30' }, '--target-age goes with --concurrency auto, not a fixed --concurrency 4'],
    [{ concurrency: 'auto', minConcurrency: '0' }, '--min-concurrency must be a whole number from 1 to 100, not "0"'],
    [{ concurrency: 'auto', maxConcurrency: '500' }, '--max-concurrency must be a whole number from 1 to 100, not "500"'],
    [
      { concurrency: 'auto', minConcurrency: '9', maxConcurrency: '8' },
      '--min-concurrency 9 is above --max-concurrency 8: give a min at most the max',
    ],
    [{ concurrency: 'auto', targetAge: '0' }, '--target-age must be a whole number from 1 to 1209600, not "0"'],
    [{ concurrency: 'auto', targetAge: '30s' }, '--target-age must be a whole number from 1 to 1209600, not "30s"'],
  ])('refuses %o in one line', (flags, message) => {
    expect(() => resolveProcessConfig({}, flags)).toThrow(message);
    try {
      resolveProcessConfig({}, flags);
    } catch (e: unknown) {
      expect((e as Error).message).toBe(message);
      expect((e as Error).name).toBe('UsageError');
    }
  });
});
