/**
 * CloudWatch in the local AWS: `GetMetricData` and `GetMetricStatistics` for the `AWS/SQS`
 * queue metrics, read from fauxqs's own store, so one code path asks real AWS and the local
 * one. The wire is what @aws-sdk/client-cloudwatch speaks: JSON 1.0 with
 * `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`, timestamps as epoch seconds,
 * errors carrying their query-protocol code in `x-amzn-query-error` (the service is
 * query-compatible). There is no history: each query gets one datapoint, now.
 */
import type http from 'node:http';
import { signedRegion } from './fauxqsRegions.js';
import { datapointTime, isSqsMetric, metricValue, unitOf, type InspectedQueue } from './queueMetrics.js';

export const CLOUDWATCH_TARGET = 'GraniteServiceVersion20100801';

/** Looks a queue up by name in the local store. */
export type InspectQueue = (name: string) => InspectedQueue | undefined;

interface Metric {
  Namespace?: string;
  MetricName?: string;
  Dimensions?: { Name?: string; Value?: string }[];
}
interface Query {
  Id?: string;
  Label?: string;
  ReturnData?: boolean;
  MetricStat?: { Metric?: Metric; Period?: number; Stat?: string };
}

/** A refusal in CloudWatch's shape: JSON type, query code, HTTP status. */
class CloudWatchFault extends Error {
  constructor(
    readonly type: string,
    readonly queryCode: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
const missing = (name: string) =>
  new CloudWatchFault('MissingRequiredParameterException', 'MissingParameter', `The parameter ${name} is required.`);
const invalid = (message: string) => new CloudWatchFault('InvalidParameterValueException', 'InvalidParameterValue', message);

/** Epoch milliseconds from JSON 1.0's epoch seconds (or an ISO string, which the service also takes). */
function timeOf(value: unknown, name: string): number {
  if (value === undefined || value === null) throw missing(name);
  const ms = typeof value === 'number' ? value * 1000 : Date.parse(String(value));
  if (!Number.isFinite(ms)) throw invalid(`The parameter ${name} must be a timestamp.`);
  return ms;
}

function window(body: Record<string, unknown>): { start: number; end: number } {
  const start = timeOf(body.StartTime, 'StartTime');
  const end = timeOf(body.EndTime, 'EndTime');
  if (start >= end) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
  return { start, end };
}

/** The value of an `AWS/SQS` queue metric now, or undefined when there is none (another namespace, no such queue). */
function queueMetric(metric: Metric | undefined, inspect: InspectQueue, now: number): number | undefined {
  if (metric?.Namespace !== 'AWS/SQS' || !isSqsMetric(metric.MetricName)) return undefined;
  const name = metric.Dimensions?.find((d) => d.Name === 'QueueName')?.Value;
  const queue = name ? inspect(name) : undefined;
  // fauxqs finds a queue by name alone: one of that name in another region is not this one.
  const region = signedRegion.getStore();
  if (!queue || (region && queue.arn.split(':')[3] !== region)) return undefined;
  return metricValue(metric.MetricName, queue, now);
}

function getMetricData(body: Record<string, unknown>, inspect: InspectQueue, now: number): unknown {
  const queries = body.MetricDataQueries as Query[] | undefined;
  if (!Array.isArray(queries) || queries.length === 0) throw missing('MetricDataQueries');
  if (queries.length > 500) throw invalid('The collection MetricDataQueries must not have a size greater than 500.');
  const { start, end } = window(body);
  const results = queries
    .filter((q) => q.ReturnData !== false)
    .map((q) => {
      if (!q.Id) throw missing('MetricDataQueries.member.Id');
      const at = datapointTime(now, q.MetricStat?.Period ?? 60, start, end);
      const value = at === undefined ? undefined : queueMetric(q.MetricStat?.Metric, inspect, now);
      const label = q.Label ?? q.MetricStat?.Metric?.MetricName ?? q.Id;
      const has = at !== undefined && value !== undefined;
      return { Id: q.Id, Label: label, Timestamps: has ? [at / 1000] : [], Values: has ? [value] : [], StatusCode: 'Complete' };
    });
  return { MetricDataResults: results, Messages: [] };
}

const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;

function getMetricStatistics(body: Record<string, unknown>, inspect: InspectQueue, now: number): unknown {
  const metric = body as Metric;
  if (!metric.Namespace) throw missing('Namespace');
  if (!metric.MetricName) throw missing('MetricName');
  const period = Number(body.Period);
  if (!Number.isInteger(period) || period < 1) throw missing('Period');
  const asked = (body.Statistics as string[] | undefined) ?? [];
  if (asked.length === 0) throw missing('Statistics');
  const { start, end } = window(body);
  const at = datapointTime(now, period, start, end);
  const value = at === undefined ? undefined : queueMetric(metric, inspect, now);
  if (at === undefined || value === undefined) return { Label: metric.MetricName, Datapoints: [] };
  // One sample: every statistic of it is the sample itself (and the count is one).
  const point: Record<string, unknown> = {
    Timestamp: at / 1000,
    Unit: isSqsMetric(metric.MetricName) ? unitOf(metric.MetricName) : 'None',
  };
  for (const s of asked) if ((STATISTICS as readonly string[]).includes(s)) point[s] = s === 'SampleCount' ? 1 : value;
  return { Label: metric.MetricName, Datapoints: [point] };
}

const OPERATIONS: Record<string, (body: Record<string, unknown>, inspect: InspectQueue, now: number) => unknown> = {
  GetMetricData: getMetricData,
  GetMetricStatistics: getMetricStatistics,
};

function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('error', reject);
    req.once('end', () => {
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        resolve(parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {});
      } catch {
        reject(new CloudWatchFault('SerializationException', 'SerializationException', 'The request body is not JSON.'));
      }
    });
  });
}

function send(res: http.ServerResponse, status: number, body: unknown, queryError?: string): void {
  res.setHeader('x-amzn-requestid', crypto.randomUUID());
  if (queryError) res.setHeader('x-amzn-query-error', queryError);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
  res.end(JSON.stringify(body));
}

/** True for a request in CloudWatch's JSON protocol. */
export function isCloudWatch(headers: http.IncomingHttpHeaders): boolean {
  const target = headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith(`${CLOUDWATCH_TARGET}.`);
}

/** The listener that answers CloudWatch requests (already signed: it sits behind the gate). */
export function cloudWatchHandler(inspect: InspectQueue): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const operation = String(req.headers['x-amz-target']).slice(CLOUDWATCH_TARGET.length + 1);
    const run = OPERATIONS[operation];
    readJson(req)
      .then((body) => {
        if (!run)
          throw new CloudWatchFault(
            'UnknownOperationException',
            'UnknownOperation',
            `the local AWS does not answer CloudWatch ${operation}`,
          );
        send(res, 200, run(body, inspect, Date.now()));
      })
      .catch((e: unknown) => {
        const fault =
          e instanceof CloudWatchFault ? e : new CloudWatchFault('InternalServiceFault', 'InternalServiceError', String(e), 500);
        const side = fault.status < 500 ? 'Sender' : 'Receiver';
        send(res, fault.status, { __type: `com.amazonaws.cloudwatch#${fault.type}`, message: fault.message }, `${fault.queryCode};${side}`);
      });
  };
}
