/**
 * What an operator reads a queue's depth against: how many messages each worker still has
 * ahead of it, and whether the oldest message has waited longer than the target age.
 * Pure: stats gives the numbers, the CLI shows the verdicts.
 */

export interface Targets {
  /** Workers consuming the queue. */
  workers?: number;
  /** The longest a message should wait, in seconds. */
  targetAgeSeconds?: number;
}

/** 'unknown' where the age could not be had: never called fine when nobody knows. */
export type AgeVerdict = 'within' | 'over' | 'unknown';

/** Messages waiting (visible, and delayed ones about to be) per worker, rounded up: what each still has to get through. */
export function backlogPerWorker(depth: { visible: number; delayed: number }, workers: number): number {
  return Math.ceil((depth.visible + depth.delayed) / Math.max(1, workers));
}

export function ageVerdict(ageSeconds: number | null, targetSeconds: number): AgeVerdict {
  if (ageSeconds === null) return 'unknown';
  return ageSeconds > targetSeconds ? 'over' : 'within';
}
