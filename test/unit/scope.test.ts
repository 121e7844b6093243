/**
 * What a request addresses and whether its signature's scope fits: the service it is routed
 * to, a valid region, and the region its queue URL or ARNs name.
 */
import { describe, expect, it } from 'vitest';
import { addressed, routeOf, scopeDenial } from '../../src/local/scope.js';
import type { SignedParts } from '../../src/local/sigv4.js';
import { isAwsRegion } from '../../src/core/regions.js';

const JSON_10 = { 'content-type': 'application/x-amz-json-1.0' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

const parts = (service: string, region = 'us-east-1'): SignedParts => ({
  accessKeyId: 'LSQS',
  region,
  service,
  shortDate: '20260115',
  longDate: '20260115T120000Z',
  signedHeaders: ['host'],
  signature: '0'.repeat(64),
});

const body = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o));

describe('routeOf', () => {
  it.each([
    ['POST', '/', { 'x-amz-target': 'DynamoDB_20120810.ListTables', ...JSON_10 }, 'dynamodb'],
    ['POST', '/', { 'x-amz-target': 'AmazonSQS.ListQueues', ...JSON_10 }, 'sqs'],
    ['POST', '/', { 'x-amz-target': 'GraniteServiceVersion20100801.GetMetricData', ...JSON_10 }, 'cloudwatch'],
    ['POST', '/', FORM, 'query'],
    ['PUT', '/bucket/key', { 'content-type': 'application/json' }, 's3'],
    ['POST', '/bucket/key?uploads', FORM, 's3'],
    ['GET', '/', {}, 's3'],
  ] as const)('%s %s %j goes to %s', (method, url, headers, route) => {
    expect(routeOf(method, url, headers)).toBe(route);
  });
});

describe('scopeDenial', () => {
  it('accepts a request scoped to the service it reaches, in any valid region', () => {
    expect(scopeDenial(parts('sqs', 'eu-west-1'), addressed('sqs', body({})))).toBeUndefined();
    expect(scopeDenial(parts('sns', 'ap-southeast-2'), addressed('query', body('Action=ListTopics')))).toBeUndefined();
    expect(scopeDenial(parts('sts'), addressed('query', body('Action=GetCallerIdentity&Version=2011-06-15')))).toBeUndefined();
    expect(scopeDenial(parts('dynamodb', 'us-gov-west-1'), addressed('dynamodb', body({ TableName: 't' })))).toBeUndefined();
    expect(scopeDenial(parts('s3', 'cn-north-1'), addressed('s3', undefined))).toBeUndefined();
    expect(scopeDenial(parts('monitoring', 'eu-west-1'), addressed('cloudwatch', body({})))).toBeUndefined();
  });

  it('holds CloudWatch to its signing name, monitoring, and monitoring to CloudWatch', () => {
    expect(scopeDenial(parts('cloudwatch'), addressed('cloudwatch', body({})))?.message).toBe(
      "Credential should be scoped to correct service: 'monitoring'. ",
    );
    expect(scopeDenial(parts('monitoring'), addressed('sqs', body({})))?.message).toBe(
      "Credential should be scoped to correct service: 'sqs'. ",
    );
  });

  it.each([
    ['s3', 'sqs'],
    ['dynamodb', 'sqs'],
    ['foo', 'sqs'],
    ['sqs', 'dynamodb'],
    ['sqs', 's3'],
  ] as const)('refuses a request signed for %s that reaches %s', (signedFor, route) => {
    const denial = scopeDenial(parts(signedFor), addressed(route, body({})));
    expect(denial?.reason).toBe('wrongScope');
    expect(denial?.message).toBe(`Credential should be scoped to correct service: '${route}'. `);
  });

  it('refuses a region no AWS partition has', () => {
    expect(scopeDenial(parts('sqs', 'xx-nowhere-9'), addressed('sqs', body({})))?.message).toBe(
      "Credential should be scoped to a valid region, not 'xx-nowhere-9'. ",
    );
  });

  it.each([
    ['sqs', { QueueUrl: 'http://sqs.eu-west-1.localhost:4577/000000000000/q' }, 'QueueUrl'],
    ['sqs', { SourceArn: 'arn:aws:sqs:eu-west-1:000000000000:q-dlq' }, 'SourceArn'],
    ['dynamodb', { TableName: 'arn:aws:dynamodb:eu-west-1:000000000000:table/t' }, 'TableName'],
  ] as const)('refuses a %s request whose %j names another region', (route, json, from) => {
    const denial = scopeDenial(parts(route, 'us-east-1'), addressed(route, body(json)));
    expect(denial?.message).toBe(`Credential should be scoped to region 'eu-west-1' (the region of its ${from}), not 'us-east-1'. `);
  });

  it('holds SNS calls to the region of the topic they name, and queue URLs without a region to none', () => {
    const publish = body('Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A000000000000%3At&Message=x');
    expect(scopeDenial(parts('sns', 'us-east-1'), addressed('query', publish))?.reason).toBe('wrongScope');
    expect(scopeDenial(parts('sns', 'eu-west-1'), addressed('query', publish))).toBeUndefined();
    const local = body({ QueueUrl: 'http://127.0.0.1:4577/000000000000/q' });
    expect(scopeDenial(parts('sqs', 'ap-south-1'), addressed('sqs', local))).toBeUndefined();
  });
});

describe('isAwsRegion', () => {
  it.each(['us-east-1', 'eu-central-2', 'us-gov-west-1', 'cn-northwest-1', 'us-isob-east-1', 'il-central-1', 'mx-central-1'])(
    'accepts %s',
    (r) => expect(isAwsRegion(r)).toBe(true),
  );
  it.each(['xx-nowhere-9', 'Europe', 'us-east', 'us-east-1a', ''])('refuses %j', (r) => expect(isAwsRegion(r)).toBe(false));
});
