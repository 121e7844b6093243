/**
 * `process-sqs --concurrency auto`: how many pollers the next interval needs, from what the
 * run itself saw since the last decision. Full receives mean more messages were waiting than
 * the pollers took; empty receives mean pollers waited for nothing. The age of the oldest
 * message (at receipt) against the target says how urgent growing is, and holds a shrink.
 * Pure: the runner measures, this decides, the CLI prints the reason.
 */

/** A receive this full (messages got / messages asked) counts as full. */
export const FULL_FILL = 0.9;
/** Receives this empty on average mean the pool is larger than the flow needs. */
export const LOW_FILL = 0.3;
/** Messages one receive takes at most (SQS's limit). */
export const BATCH = 10;

export interface ScaleBounds {
  min: number;
  max: number;
  /** The oldest message's age the pool should stay under, in seconds. */
  targetAgeSeconds: number;
}

export interface ScaleInput extends ScaleBounds {
  /** Pollers running now. */
  pollers: number;
  /** Each receive since the last decision: messages got over messages asked, 0 to 1. */
  fills: readonly number[];
  /** ApproximateNumberOfMessages (visible, waiting) from GetQueueAttributes; null when unknown. */
  backlog: number | null;
  /** The age at receipt of the oldest message received since the last decision; null when none. */
  oldestAgeSeconds: number | null;
}

export interface ScaleDecision {
  pollers: number;
  /** Why, as a person reads it ("receives full, backlog 1,240, oldest 35 s over the 30 s target"); empty when unchanged. */
  reason: string;
}

const clamp = (n: number, { min, max }: ScaleBounds) => Math.min(max, Math.max(min, n));
const thousands = (n: number) => n.toLocaleString('en-US');

function describe(label: string, input: ScaleInput): string {
  const parts = [label];
  if (input.backlog !== null) parts.push(`backlog ${thousands(input.backlog)}`);
  if (input.oldestAgeSeconds !== null) {
    const age = Math.round(input.oldestAgeSeconds);
    const over = input.oldestAgeSeconds > input.targetAgeSeconds;
    parts.push(`oldest ${age} s ${over ? 'over' : 'under'} the ${input.targetAgeSeconds} s target`);
  }
  return parts.join(', ');
}

/** Growth aims at a pool that would take the whole backlog in this many rounds of receives. */
export const DEEP_ROUNDS = 10;

/**
 * Grow: at least double (a full receive says a whole batch more was waiting), up to the pool
 * that takes the backlog in DEEP_ROUNDS rounds (a burst is met in one step), never past the
 * batches waiting.
 */
function grown(input: ScaleInput): number {
  const { pollers, backlog } = input;
  if (backlog === null) return pollers * 2;
  const waiting = Math.ceil(backlog / BATCH);
  const sized = Math.ceil(waiting / DEEP_ROUNDS);
  return Math.max(pollers + 1, Math.min(Math.max(pollers * 2, sized), pollers + waiting));
}

/** The pollers for the next interval, between the bounds, and why they changed. */
export function nextPollers(input: ScaleInput): ScaleDecision {
  const { pollers, fills, backlog, oldestAgeSeconds, targetAgeSeconds } = input;
  const bounded = clamp(pollers, input);
  if (bounded !== pollers) return { pollers: bounded, reason: `kept between ${input.min} and ${input.max}` };
  // No receive came back (every poller still busy with its batch): nothing to judge by.
  if (fills.length === 0) return { pollers, reason: '' };
  const fill = fills.reduce((a, b) => a + b, 0) / fills.length;
  const overTarget = oldestAgeSeconds !== null && oldestAgeSeconds > targetAgeSeconds;
  const waiting = backlog === null || backlog > 0;
  const decide = (n: number, label: string): ScaleDecision => {
    const next = clamp(n, input);
    return next === pollers ? { pollers, reason: '' } : { pollers: next, reason: describe(label, input) };
  };
  if (fill >= FULL_FILL && waiting) return decide(grown(input), 'receives full');
  // Over the target with work still waiting: more pollers even though receives come back part full.
  if (overTarget && waiting && fill >= LOW_FILL) return decide(grown(input), `receives ${Math.round(fill * 100)}% full`);
  if (overTarget) return { pollers, reason: '' };
  if (fills.every((f) => f === 0)) return decide(Math.floor(pollers / 2), 'receives empty');
  if (fill < LOW_FILL) return decide(pollers - Math.max(1, Math.floor(pollers / 4)), `receives ${Math.round(fill * 100)}% full`);
  return { pollers, reason: '' };
}
