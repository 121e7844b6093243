import { describe, expect, it } from 'vitest';
import { destinationTarget, isFileDestination, regionFromQueueUrl } from '../../src/features/move/destination.js';
import type { ResolvedTarget } from '../../src/aws/clients.js';

describe('move --to', () => {
  it.each([
    ['https://sqs.eu-west-1.amazonaws.com/123456789012/orders', 'eu-west-1'],
    ['https://sqs.us-gov-west-1.amazonaws.com/123456789012/orders', 'us-gov-west-1'],
    ['https://ap-southeast-2.queue.amazonaws.com/123456789012/orders', 'ap-southeast-2'],
    ['http://sqs.eu-central-1.localhost:4566/000000000000/orders', 'eu-central-1'],
    ['http://127.0.0.1:4566/000000000000/orders', undefined],
  ])('reads the region of %s', (url, region) => {
    expect(regionFromQueueUrl(url)).toBe(region);
  });

  it.each([
    ['backup.ndjson', true],
    ['out/backup.json', true],
    ['./x', true],
    ['orders', false],
    ['orders.fifo', false],
    ['https://sqs.eu-west-1.amazonaws.com/1/orders', false],
  ])('tells a file from a queue: %s', (to, file) => {
    expect(isFileDestination(to)).toBe(file);
  });

  const aws: ResolvedTarget = {
    kind: 'aws',
    region: 'us-east-1',
    endpoints: {},
    reason: 'AWS_PROFILE',
    profile: 'main',
    credentials: { accessKeyId: 'A', secretAccessKey: 'S' },
  };
  const local: ResolvedTarget = {
    kind: 'local',
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'L', secretAccessKey: 'S' },
  };

  it('keeps the source clients for a queue of the same region and account', () => {
    expect(destinationTarget(aws, 'orders', undefined)).toBeUndefined();
    expect(destinationTarget(aws, 'https://sqs.us-east-1.amazonaws.com/1/orders', undefined)).toBeUndefined();
  });

  it('uses the region of a queue URL elsewhere, with the same credentials', () => {
    expect(destinationTarget(aws, 'https://sqs.eu-west-1.amazonaws.com/1/orders', undefined)).toMatchObject({
      region: 'eu-west-1',
      profile: 'main',
      credentials: { accessKeyId: 'A' },
    });
    expect(destinationTarget(local, 'http://sqs.eu-west-1.localhost:1/0/orders', undefined)).toEqual({ ...local, region: 'eu-west-1' });
  });

  it("uses --to-profile's credentials for another account, not the source's keys", () => {
    const t = destinationTarget(aws, 'https://sqs.eu-west-1.amazonaws.com/2/orders', 'dr');
    expect(t).toMatchObject({ kind: 'aws', region: 'eu-west-1', profile: 'dr' });
    expect(t).not.toHaveProperty('credentials');
  });

  it('refuses --to-profile on the local AWS', () => {
    expect(() => destinationTarget(local, 'orders', 'dr')).toThrow(/--to-profile names an AWS profile/);
  });
});
