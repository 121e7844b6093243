/**
 * What a request to the local AWS addresses, read from the wire as the server routes it:
 * the service that will answer it, and the regions its resources name (a queue URL's
 * `sqs.<region>.` host, an ARN). AWS refuses a signature scoped to another service or to a
 * region that is not the one addressed; so does the local AWS, which serves any region
 * but holds each request to itself.
 */
import { isAwsRegion } from '../core/regions.js';
import type { Denial, SignedParts } from './sigv4.js';
import { CLOUDWATCH_TARGET } from './cloudwatch.js';

/** How the server routes a request: by DynamoDB's or CloudWatch's target header, fauxqs's content types, else S3. */
export type Route = 'dynamodb' | 'cloudwatch' | 'sqs' | 'query' | 's3';

export interface Addressed {
  service: 'dynamodb' | 'monitoring' | 'sqs' | 'sns' | 'sts' | 's3';
  /** Regions named by the resources the request acts on, with what named them. */
  regions: { region: string; from: string }[];
}

type Headers = Record<string, string | string[] | undefined>;

export function routeOf(method: string, url: string, headers: Headers): Route {
  const target = headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith('DynamoDB')) return 'dynamodb';
  if (typeof target === 'string' && target.startsWith(`${CLOUDWATCH_TARGET}.`)) return 'cloudwatch';
  const type = String(headers['content-type'] ?? '');
  const root = url === '/' || url.startsWith('/?');
  if (method === 'POST' && root && type.includes('application/x-amz-json-1.0')) return 'sqs';
  if (method === 'POST' && root && type.includes('application/x-www-form-urlencoded')) return 'query';
  return 's3';
}

const ARN_RE = /^arn:[a-z-]+:[a-z0-9-]+:([a-z0-9-]*):/;
const QUEUE_HOST_RE = /^https?:\/\/sqs\.([a-z0-9-]+)\./;

function arnRegion(value: unknown, from: string): { region: string; from: string }[] {
  const m = typeof value === 'string' ? ARN_RE.exec(value) : null;
  return m?.[1] ? [{ region: m[1], from }] : [];
}

function jsonBody(body: Buffer | undefined): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body?.toString('utf8') || '{}');
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The service and regions a routed request addresses; `body` is the request's whole body where it was read. */
export function addressed(route: Route, body: Buffer | undefined): Addressed {
  if (route === 's3') return { service: 's3', regions: [] };
  // CloudWatch signs as `monitoring`; its queries name queues by QueueName, not by an ARN.
  if (route === 'cloudwatch') return { service: 'monitoring', regions: [] };
  if (route === 'dynamodb') {
    const json = jsonBody(body);
    return { service: 'dynamodb', regions: [...arnRegion(json.TableName, 'TableName'), ...arnRegion(json.TableArn, 'TableArn')] };
  }
  if (route === 'sqs') {
    const json = jsonBody(body);
    const host = typeof json.QueueUrl === 'string' ? QUEUE_HOST_RE.exec(json.QueueUrl)?.[1] : undefined;
    return {
      service: 'sqs',
      regions: [
        ...(host ? [{ region: host, from: 'QueueUrl' }] : []),
        ...arnRegion(json.SourceArn, 'SourceArn'),
        ...arnRegion(json.DestinationArn, 'DestinationArn'),
      ],
    };
  }
  const form = new URLSearchParams(body?.toString('utf8') ?? '');
  if (form.get('Action') === 'GetCallerIdentity') return { service: 'sts', regions: [] };
  const named = ['TopicArn', 'TargetArn', 'SubscriptionArn', 'ResourceArn'].flatMap((k) => arnRegion(form.get(k), k));
  return { service: 'sns', regions: named };
}

/** Undefined when the signature's scope fits what the request addresses; otherwise AWS's refusal. */
export function scopeDenial(parts: SignedParts, to: Addressed): Denial | undefined {
  if (parts.service !== to.service) {
    return { reason: 'wrongScope', message: `Credential should be scoped to correct service: '${to.service}'. ` };
  }
  if (!isAwsRegion(parts.region)) {
    return { reason: 'wrongScope', message: `Credential should be scoped to a valid region, not '${parts.region}'. ` };
  }
  const other = to.regions.find((r) => r.region !== parts.region);
  if (other) {
    return {
      reason: 'wrongScope',
      message: `Credential should be scoped to region '${other.region}' (the region of its ${other.from}), not '${parts.region}'. `,
    };
  }
  return undefined;
}
