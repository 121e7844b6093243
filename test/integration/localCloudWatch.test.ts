/**
 * The local AWS answers CloudWatch's AWS/SQS queue metrics from its own store, through the
 * real CloudWatch client over the wire: the age of the oldest message (sent N seconds ago:
 * at least N), the depth counters as GetQueueAttributes tells them, and `stats` on the local
 * target shows a real age.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchClient, GetMetricDataCommand, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { oldestMessageAges } from '../../src/aws/cloudwatch.js';
import { queueStats } from '../../src/features/stats/stats.js';

let aws: TestAws;
let cw: CloudWatchClient;
let url: string;
const SENT_AGO = 2;
beforeAll(async () => {
  aws = await startTestAws();
  cw = await aws.clients.cloudwatch();
  url = await aws.queues.create({ name: 'cw-aged' });
  await aws.queues.sendBatch(url, [{ id: '0', body: 'oldest' }]);
  await sleep(SENT_AGO * 1000 + 100);
  await aws.queues.sendBatch(url, [
    { id: '0', body: 'newer' },
    { id: '1', body: 'newer too' },
    { id: '2', body: 'later', delaySeconds: 60 },
  ]);
  // One in flight: still not deleted, so still counted in the age and as NotVisible.
  await aws.queues.receive(url, { max: 1, waitSeconds: 0, visibilityTimeout: 60 });
});
afterAll(async () => aws.stop());

const metric = (MetricName: string, QueueName = 'cw-aged') => ({
  Namespace: 'AWS/SQS',
  MetricName,
  Dimensions: [{ Name: 'QueueName', Value: QueueName }],
});

describe('local CloudWatch', () => {
  it('answers GetMetricData with the oldest message age and the depth counters', async () => {
    const now = Date.now();
    const names = [
      'ApproximateAgeOfOldestMessage',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed',
    ];
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(now - 15 * 60_000),
        EndTime: new Date(now + 1000),
        MetricDataQueries: names.map((n, i) => ({ Id: `m${i}`, MetricStat: { Metric: metric(n), Period: 60, Stat: 'Maximum' } })),
      }),
    );
    const value = (id: string) => out.MetricDataResults?.find((r) => r.Id === id)?.Values?.[0];
    expect(value('m0')).toBeGreaterThanOrEqual(SENT_AGO);
    expect(value('m0')).toBeLessThan(SENT_AGO + 30);
    const attrs = await aws.queues.attributes(url, [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed',
    ]);
    expect([value('m1'), value('m2'), value('m3')]).toEqual([
      Number(attrs.ApproximateNumberOfMessages),
      Number(attrs.ApproximateNumberOfMessagesNotVisible),
      Number(attrs.ApproximateNumberOfMessagesDelayed),
    ]);
    expect([value('m1'), value('m2'), value('m3')]).toEqual([2, 1, 1]);
    const at = out.MetricDataResults?.[0]?.Timestamps?.[0];
    expect(at).toBeInstanceOf(Date);
    expect(at!.getTime() % 60_000).toBe(0);
  });

  it('answers GetMetricStatistics with one datapoint carrying the statistics asked for', async () => {
    const now = Date.now();
    const out = await cw.send(
      new GetMetricStatisticsCommand({
        ...metric('ApproximateAgeOfOldestMessage'),
        StartTime: new Date(now - 5 * 60_000),
        EndTime: new Date(now + 1000),
        Period: 60,
        Statistics: ['Maximum', 'SampleCount'],
      }),
    );
    expect(out.Label).toBe('ApproximateAgeOfOldestMessage');
    expect(out.Datapoints).toHaveLength(1);
    expect(out.Datapoints![0]!.Maximum).toBeGreaterThanOrEqual(SENT_AGO);
    expect(out.Datapoints![0]).toMatchObject({ SampleCount: 1, Unit: 'Seconds' });
  });

  it('has no datapoints for a queue that does not exist, or outside the asked window', async () => {
    const ages = await oldestMessageAges(cw, ['cw-no-such-queue', 'cw-aged']);
    expect(ages.get('cw-no-such-queue')).toBeNull();
    expect(ages.get('cw-aged')).toBeGreaterThanOrEqual(SENT_AGO);
    const past = Date.now() - 3_600_000;
    const out = await cw.send(
      new GetMetricStatisticsCommand({
        ...metric('ApproximateAgeOfOldestMessage'),
        StartTime: new Date(past - 600_000),
        EndTime: new Date(past),
        Period: 60,
        Statistics: ['Maximum'],
      }),
    );
    expect(out.Datapoints).toEqual([]);
  });

  it("refuses a bad window with CloudWatch's own error", async () => {
    const now = new Date();
    const e = await cw
      .send(
        new GetMetricStatisticsCommand({
          ...metric('ApproximateAgeOfOldestMessage'),
          StartTime: now,
          EndTime: now,
          Period: 60,
          Statistics: ['Maximum'],
        }),
      )
      .catch((err: unknown) => err as Error);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).name).toMatch(/InvalidParameterValue/);
    expect((e as Error).message).toMatch(/StartTime must be less than the parameter EndTime/);
  });

  it('refuses a CloudWatch request signed for another service, as AWS does', async () => {
    // signingName: the SDK's own setting for the service a client signs for (not in its public config type).
    const config = {
      endpoint: aws.local.endpoint,
      region: 'us-east-1',
      credentials: aws.local.credentials,
      signingName: 'sqs',
      maxAttempts: 1,
    };
    const wrong = new CloudWatchClient(config);
    try {
      const now = Date.now();
      const e = await wrong
        .send(
          new GetMetricDataCommand({
            StartTime: new Date(now - 60_000),
            EndTime: new Date(now),
            MetricDataQueries: [{ Id: 'm0', MetricStat: { Metric: metric('ApproximateAgeOfOldestMessage'), Period: 60, Stat: 'Maximum' } }],
          }),
        )
        .catch((err: unknown) => err as Error);
      expect((e as Error).name).toBe('SignatureDoesNotMatch');
      expect((e as Error).message).toMatch(/scoped to correct service: 'monitoring'/);
    } finally {
      wrong.destroy();
    }
  });

  it('shows a real oldest age in stats on the local target', async () => {
    const notes: string[] = [];
    const rows = await queueStats(aws.clients, { prefix: 'cw-aged', notify: (m) => notes.push(m) });
    expect(notes).toEqual([]);
    expect(rows[0]?.oldestMessageAgeSeconds).toBeGreaterThanOrEqual(SENT_AGO);
  });
});
