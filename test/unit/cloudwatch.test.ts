import { describe, expect, it } from 'vitest';
import { ageQueries, formatAge, newestValues } from '../../src/aws/cloudwatch.js';

describe('oldest-message ages from CloudWatch', () => {
  it('asks for AWS/SQS ApproximateAgeOfOldestMessage per queue, Maximum over a minute', () => {
    const q = ageQueries(['orders', 'orders-dlq']);
    expect(q.map((x) => x.Id)).toEqual(['q0', 'q1']);
    expect(q[1]!.MetricStat).toEqual({
      Metric: {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: 'orders-dlq' }],
      },
      Period: 60,
      Stat: 'Maximum',
    });
  });

  it('takes the newest datapoint of each queue, whatever the order, and null where there is none', () => {
    const t = (m: number) => new Date(Date.UTC(2026, 10, 22, 12, m));
    const ages = newestValues(
      ['a', 'b', 'c'],
      [
        { Id: 'q0', Values: [30, 95.4, 12], Timestamps: [t(1), t(3), t(2)] },
        { Id: 'q1', Values: [], Timestamps: [] },
      ],
    );
    expect([...ages]).toEqual([
      ['a', 95],
      ['b', null],
      ['c', null],
    ]);
  });

  it.each([
    [null, 'n/a'],
    [0, '0 s'],
    [59, '59 s'],
    [185, '3 min 5 s'],
    [7800, '2 h 10 min'],
    [273_600, '3 d 4 h'],
  ])('writes %j seconds as %s', (seconds, text) => {
    expect(formatAge(seconds)).toBe(text);
  });
});
