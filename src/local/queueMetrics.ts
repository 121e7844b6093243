/**
 * The `AWS/SQS` metrics the local AWS can tell from its own store, as CloudWatch names
 * them: the three depth counters and the age of the oldest message. Real SQS publishes
 * these once a minute; here each is read when asked, so a query sees the queue as it is now.
 */

/** What fauxqs's `inspectQueue` gives back (the parts read here). */
export interface InspectedQueue {
  name: string;
  arn: string;
  attributes: Record<string, string>;
  messages: {
    ready: { sentTimestamp: number }[];
    delayed: { sentTimestamp: number }[];
    inflight: { message: { sentTimestamp: number } }[];
  };
}

export const SQS_METRICS = [
  'ApproximateAgeOfOldestMessage',
  'ApproximateNumberOfMessagesVisible',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
] as const;
export type SqsMetricName = (typeof SQS_METRICS)[number];

export const isSqsMetric = (name: unknown): name is SqsMetricName => SQS_METRICS.includes(name as SqsMetricName);

/**
 * Seconds since the oldest message still on the queue was sent: waiting or in flight, as SQS
 * counts "not deleted" (a delayed message is not yet on the queue). An empty queue is 0.
 */
export function oldestAgeSeconds(queue: InspectedQueue, now: number): number {
  let oldest = Number.POSITIVE_INFINITY;
  for (const m of queue.messages.ready) if (m.sentTimestamp < oldest) oldest = m.sentTimestamp;
  for (const m of queue.messages.inflight) if (m.message.sentTimestamp < oldest) oldest = m.message.sentTimestamp;
  return Number.isFinite(oldest) ? Math.max(0, Math.floor((now - oldest) / 1000)) : 0;
}

/** One metric's value now, from the inspected queue. */
export function metricValue(name: SqsMetricName, queue: InspectedQueue, now: number): number {
  switch (name) {
    case 'ApproximateAgeOfOldestMessage':
      return oldestAgeSeconds(queue, now);
    case 'ApproximateNumberOfMessagesVisible':
      return Number(queue.attributes.ApproximateNumberOfMessages ?? 0);
    case 'ApproximateNumberOfMessagesNotVisible':
      return Number(queue.attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
    case 'ApproximateNumberOfMessagesDelayed':
      return Number(queue.attributes.ApproximateNumberOfMessagesDelayed ?? 0);
  }
}

/** CloudWatch's unit for each metric. */
export const unitOf = (name: SqsMetricName): string => (name === 'ApproximateAgeOfOldestMessage' ? 'Seconds' : 'Count');

/**
 * Where the one datapoint of now falls: the start of the period that holds `now`, as
 * CloudWatch aligns datapoints; undefined when that lies outside the asked window.
 */
export function datapointTime(now: number, periodSeconds: number, start: number, end: number): number | undefined {
  const period = Math.max(1, periodSeconds) * 1000;
  const at = Math.floor(now / period) * period;
  return at + period > start && at < end ? at : undefined;
}
