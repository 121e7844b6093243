/**
 * How a load run marks what is its own, shared by the sender, the workers and the
 * `process-sqs --load-run` flag its worker processes get: one attribute on every message
 * it sends, one suffix on every ledger key it writes.
 */

/** The message attribute naming the run that sent a message: workers take only the run's own. */
export const RUN_ATTRIBUTE = 'sqsops-load-run';

/** Appended to every ledger key a run writes: its records cannot collide with real data. */
export const runKeySuffix = (runId: string): string => `#sqsops-load-${runId}`;

/** Whether a received message (its string attributes) was sent by this run. */
export const sentByRun = (runId: string) => (m: { attributes: Record<string, string> }) => m.attributes[RUN_ATTRIBUTE] === runId;
