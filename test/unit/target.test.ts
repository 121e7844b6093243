import { describe, expect, it } from 'vitest';
import { chooseTarget } from '../../src/aws/target.js';
import { UsageError } from '../../src/core/errors.js';

describe('chooseTarget', () => {
  it.each([
    ['nothing configured', {}, {}, 'local'],
    ['an endpoint flag', { endpointUrl: 'http://localhost:4566' }, {}, 'aws'],
    ['AWS_ENDPOINT_URL', {}, { AWS_ENDPOINT_URL: 'http://localhost:4566' }, 'aws'],
    ['a per-service endpoint', {}, { AWS_ENDPOINT_URL_SQS: 'http://localhost:4566' }, 'aws'],
    ['a profile flag', { profile: 'prod' }, {}, 'aws'],
    ['AWS_PROFILE', {}, { AWS_PROFILE: 'prod' }, 'aws'],
    ['static credentials', {}, { AWS_ACCESS_KEY_ID: 'AKIA' }, 'aws'],
    ['SQSOPS_TARGET=aws', {}, { SQSOPS_TARGET: 'aws' }, 'aws'],
    ['SQSOPS_TARGET=local over credentials', {}, { SQSOPS_TARGET: 'local', AWS_ACCESS_KEY_ID: 'AKIA' }, 'local'],
    ['a region alone', { region: 'eu-west-1' }, {}, 'local'],
  ])('picks the right target for %s', (_name, flags, env, kind) => {
    expect(chooseTarget(flags, env).kind).toBe(kind);
  });

  it('lets a service-specific endpoint beat the shared one, and a flag beat both', () => {
    const env = { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_DYNAMODB: 'http://b:2' };
    const t = chooseTarget({}, env);
    expect(t.kind === 'aws' && t.endpoints).toEqual({
      sqs: 'http://a:1',
      sns: 'http://a:1',
      dynamodb: 'http://b:2',
      s3: 'http://a:1',
      cloudwatch: 'http://a:1',
    });
    const f = chooseTarget({ endpointUrl: 'http://c:3/' }, env);
    expect(f.kind === 'aws' && f.endpoints.dynamodb).toBe('http://c:3');
  });

  it('keeps the region from flags, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(chooseTarget({ region: 'eu-west-1' }, { AWS_REGION: 'us-west-2' }).region).toBe('eu-west-1');
    expect(chooseTarget({}, { AWS_DEFAULT_REGION: 'ap-south-1' }).region).toBe('ap-south-1');
    expect(chooseTarget({}, {}).region).toBe('us-east-1');
  });

  it.each([
    [{ endpointUrl: 'localhost:4566' }, {}, /--endpoint-url is not an http\(s\) URL/],
    [{ region: 'Europe' }, {}, /"Europe" is not an AWS region/],
    [{}, { SQSOPS_TARGET: 'cloud' }, /SQSOPS_TARGET must be "aws" or "local"/],
  ])('rejects bad configuration with one clear line (%j %j)', (flags, env, message) => {
    expect(() => chooseTarget(flags, env)).toThrow(UsageError);
    expect(() => chooseTarget(flags, env)).toThrow(message);
  });
});
