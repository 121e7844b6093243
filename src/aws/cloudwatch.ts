/**
 * The age of a queue's oldest message: CloudWatch's `AWS/SQS ApproximateAgeOfOldestMessage`
 * (the SQS API has no such attribute, and peeking would change it). SQS publishes it once
 * a minute, a few minutes late, and only for queues that were active lately; a queue with
 * no recent datapoint is unknown (null), not zero.
 */
import type { CloudWatchClient, MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';

/** GetMetricData takes at most 500 queries per call. */
export const MAX_QUERIES = 500;
/** How far back to look for the newest datapoint: SQS's metrics arrive a few minutes late. */
export const LOOKBACK_MS = 15 * 60_000;

/** One query per queue name, in order; ids are `q<index>` (CloudWatch wants them lowercase-first). */
export function ageQueries(queueNames: readonly string[]): MetricDataQuery[] {
  return queueNames.map((name, i) => ({
    Id: `q${i}`,
    MetricStat: {
      Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: name }] },
      Period: 60,
      Stat: 'Maximum',
    },
    ReturnData: true,
  }));
}

/** The newest value of each query, by queue name; null where CloudWatch had none. */
export function newestValues(queueNames: readonly string[], results: readonly MetricDataResult[]): Map<string, number | null> {
  const out = new Map<string, number | null>(queueNames.map((n) => [n, null]));
  for (const r of results) {
    const i = Number(r.Id?.slice(1));
    const name = queueNames[i];
    if (name === undefined || !r.Values?.length) continue;
    // Timestamps and values come in pairs; the newest wins whatever order they came in.
    const at = (j: number) => r.Timestamps?.[j]?.getTime() ?? 0;
    let best = 0;
    for (let j = 1; j < r.Values.length; j++) if (at(j) > at(best)) best = j;
    out.set(name, Math.round(r.Values[best]!));
  }
  return out;
}

/** Asks CloudWatch for every queue's oldest-message age, 500 queues per call. */
export async function oldestMessageAges(
  cw: CloudWatchClient,
  queueNames: readonly string[],
  options: { now?: number; signal?: AbortSignal } = {},
): Promise<Map<string, number | null>> {
  const { GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
  const now = options.now ?? Date.now();
  const out = new Map<string, number | null>();
  for (let i = 0; i < queueNames.length; i += MAX_QUERIES) {
    const names = queueNames.slice(i, i + MAX_QUERIES);
    const results: MetricDataResult[] = [];
    let NextToken: string | undefined;
    do {
      const page = await cw.send(
        new GetMetricDataCommand({
          MetricDataQueries: ageQueries(names),
          StartTime: new Date(now - LOOKBACK_MS),
          EndTime: new Date(now),
          ScanBy: 'TimestampDescending',
          NextToken,
        }),
        options.signal ? { abortSignal: options.signal } : {},
      );
      results.push(...(page.MetricDataResults ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    // Pages may split one query's values: merge them per id before picking the newest.
    const merged = new Map<string, MetricDataResult>();
    for (const r of results) {
      const m = merged.get(r.Id ?? '');
      if (m) {
        m.Values = [...(m.Values ?? []), ...(r.Values ?? [])];
        m.Timestamps = [...(m.Timestamps ?? []), ...(r.Timestamps ?? [])];
      } else merged.set(r.Id ?? '', { ...r });
    }
    for (const [k, v] of newestValues(names, [...merged.values()])) out.set(k, v);
  }
  return out;
}

/** "42 s", "3 min 5 s", "2 h 10 min", "3 d 4 h": an age as an operator reads it. */
export function formatAge(seconds: number | null): string {
  if (seconds === null) return 'n/a';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`;
}
