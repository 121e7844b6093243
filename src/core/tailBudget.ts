/**
 * What watching a queue costs its messages. SQS has no "look without taking": every receive
 * raises a message's receive count, and a message that stays on the queue is received again
 * at each poll. A redrive policy moves a message to its DLQ once that count passes
 * maxReceiveCount, so a long watch could send messages there that nobody failed to process.
 * Pure: the rule that decides whether a run may start.
 */

export interface TailBudget {
  /** Polls the run makes at most; undefined when it has no end (no --duration, no --count). */
  maxPolls?: number;
  /** The queue's maxReceiveCount; undefined when it has no redrive policy. */
  maxReceiveCount?: number;
}

/** Polls a run of `durationSeconds` makes at one poll per `intervalSeconds` (the first at once). */
export function pollsWithin(durationSeconds: number, intervalSeconds: number): number {
  return Math.floor(durationSeconds / intervalSeconds) + 1;
}

/**
 * Undefined when the run cannot push a message to the DLQ by itself; otherwise why it could.
 * A message may already have been received before the run (its count is unknown until it is
 * received again), so the run must leave at least one receive for the queue's own consumer.
 */
export function tailRisk(budget: TailBudget): string | undefined {
  const { maxPolls, maxReceiveCount } = budget;
  if (maxReceiveCount === undefined) return undefined;
  if (maxPolls === undefined) {
    return `a message that stays on the queue is received at every poll, and this run has no end: after ${maxReceiveCount} receives it goes to the DLQ`;
  }
  if (maxPolls >= maxReceiveCount) {
    return `a message that stays on the queue may be received up to ${maxPolls} times in this run, and the queue sends a message to its DLQ after ${maxReceiveCount} receives`;
  }
  return undefined;
}
