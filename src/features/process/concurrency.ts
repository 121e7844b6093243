/**
 * process-sqs's pollers: a fixed `--concurrency N`, or `--concurrency auto` with its bounds
 * and the age to hold. Pure: a one-line UsageError names the flag that is wrong.
 */
import { PROCESS_DEFAULTS } from '../../config.js';
import type { ScaleBounds } from '../../core/autoscale.js';
import { UsageError } from '../../core/errors.js';
import { parseIntFlag } from '../../core/flags.js';

export interface ConcurrencyFlags {
  concurrency?: string;
  minConcurrency?: string;
  maxConcurrency?: string;
  targetAge?: string;
}

/** Pollers one worker may run: as for a fixed --concurrency. */
const POLLERS = { min: 1, max: 100 };
/** 14 days: SQS's longest retention, so no older message can exist. */
const MAX_AGE_SECONDS = 1_209_600;

/** `concurrency`: the pollers to start with (auto starts at its minimum); `autoscale` set for auto. */
export function resolveConcurrency(flags: ConcurrencyFlags): { concurrency: number; autoscale?: ScaleBounds } {
  const d = PROCESS_DEFAULTS;
  const raw = (flags.concurrency ?? d.concurrency).trim();
  if (raw !== 'auto') {
    const given = [
      ['--min-concurrency', flags.minConcurrency],
      ['--max-concurrency', flags.maxConcurrency],
      ['--target-age', flags.targetAge],
    ].find(([, v]) => v !== undefined);
    if (given) {
      throw new UsageError(`${given[0]} goes with --concurrency auto, not a fixed --concurrency ${raw}`, {
        hint: 'add --concurrency auto, or drop the bound',
      });
    }
    if (!/^\d+$/.test(raw)) throw new UsageError(`--concurrency must be "auto" or a whole number from 1 to 100, not "${raw}"`);
    return { concurrency: parseIntFlag('--concurrency', raw, POLLERS) };
  }
  const min = parseIntFlag('--min-concurrency', flags.minConcurrency ?? d.minConcurrency, POLLERS);
  const max = parseIntFlag('--max-concurrency', flags.maxConcurrency ?? d.maxConcurrency, POLLERS);
  if (min > max) throw new UsageError(`--min-concurrency ${min} is above --max-concurrency ${max}: give a min at most the max`);
  const targetAgeSeconds = parseIntFlag('--target-age', flags.targetAge ?? d.targetAge, { min: 1, max: MAX_AGE_SECONDS });
  return { concurrency: min, autoscale: { min, max, targetAgeSeconds } };
}
