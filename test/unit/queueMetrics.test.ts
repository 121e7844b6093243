/** What the local AWS's CloudWatch tells of a queue: the oldest message's age, and where the one datapoint falls. */
import { describe, expect, it } from 'vitest';
import { datapointTime, metricValue, oldestAgeSeconds, type InspectedQueue } from '../../src/local/queueMetrics.js';

const NOW = 1_700_000_000_000;
const queue = (ready: number[], inflight: number[], delayed: number[] = []): InspectedQueue => ({
  name: 'q',
  arn: 'arn:aws:sqs:us-east-1:000000000000:q',
  attributes: { ApproximateNumberOfMessages: String(ready.length), ApproximateNumberOfMessagesNotVisible: String(inflight.length) },
  messages: {
    ready: ready.map((s) => ({ sentTimestamp: NOW - s * 1000 })),
    inflight: inflight.map((s) => ({ message: { sentTimestamp: NOW - s * 1000 } })),
    delayed: delayed.map((s) => ({ sentTimestamp: NOW - s * 1000 })),
  },
});

describe('oldestAgeSeconds', () => {
  it('is the age of the oldest message waiting or in flight, in whole seconds', () => {
    expect(oldestAgeSeconds(queue([5, 12.7], [3]), NOW)).toBe(12);
    expect(oldestAgeSeconds(queue([5], [40]), NOW)).toBe(40);
  });

  it('is 0 for an empty queue, and ignores delayed messages (not yet on the queue)', () => {
    expect(oldestAgeSeconds(queue([], []), NOW)).toBe(0);
    expect(oldestAgeSeconds(queue([2], [], [300]), NOW)).toBe(2);
  });

  it('reads the counters from the queue attributes', () => {
    expect(metricValue('ApproximateNumberOfMessagesVisible', queue([1, 2], [3]), NOW)).toBe(2);
    expect(metricValue('ApproximateNumberOfMessagesNotVisible', queue([1, 2], [3]), NOW)).toBe(1);
    expect(metricValue('ApproximateNumberOfMessagesDelayed', queue([1], []), NOW)).toBe(0);
  });
});

describe('datapointTime', () => {
  it('aligns the datapoint to the start of its period', () => {
    expect(datapointTime(NOW + 25_000, 60, NOW - 900_000, NOW + 30_000)).toBe(Math.floor((NOW + 25_000) / 60_000) * 60_000);
  });

  it('has none when the period of now lies outside the window', () => {
    expect(datapointTime(NOW, 60, NOW - 7_200_000, NOW - 3_600_000)).toBeUndefined();
    expect(datapointTime(NOW, 60, NOW + 120_000, NOW + 180_000)).toBeUndefined();
  });
});
