/**
 * The local AWS accepts only requests signed with its own credentials: through the SDK
 * (right and wrong secret, each of the four services) and raw, unsigned or forged, over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQSClient, ListQueuesCommand, CreateQueueCommand } from '@aws-sdk/client-sqs';
import { SNSClient, ListTopicsCommand } from '@aws-sdk/client-sns';
import { S3Client, ListBucketsCommand, CreateBucketCommand, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { AccessError } from '../../src/core/errors.js';
import { SqsQueues } from '../../src/aws/queue.js';
import { createClients } from '../../src/aws/clients.js';
import { NodeSha256 } from '../../src/local/sigv4.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());

type Creds = { accessKeyId: string; secretAccessKey: string };
const config = (credentials: Creds) => ({ endpoint: aws.local.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

/** Each service, called once through its own SDK client. */
const calls: [string, (c: Creds) => Promise<unknown>][] = [
  ['sqs', (c) => new SQSClient(config(c)).send(new ListQueuesCommand({}))],
  ['sns', (c) => new SNSClient(config(c)).send(new ListTopicsCommand({}))],
  ['s3', (c) => new S3Client({ ...config(c), forcePathStyle: true }).send(new ListBucketsCommand({}))],
  ['dynamodb', (c) => new DynamoDBClient(config(c)).send(new ListTablesCommand({}))],
];

/** A presigned S3 GET URL, made by the SDK's signer as @aws-sdk/s3-request-presigner does. */
async function presignGet(path: string, credentials: Creds, expiresIn: number): Promise<string> {
  const url = new URL(aws.local.endpoint);
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 's3', sha256: NodeSha256, uriEscapePath: false });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query: {},
      headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    },
    { expiresIn, unsignableHeaders: new Set(['x-amz-content-sha256']), unhoistableHeaders: new Set(['x-amz-content-sha256']) },
  );
  const query = Object.entries(signed.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return `${aws.local.endpoint}${path}?${query.join('&')}`;
}

const JSON_10 = 'application/x-amz-json-1.0';
const FORM = 'application/x-www-form-urlencoded';

const errorName = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (e as Error).name,
  );

describe('the local AWS checks every signature', () => {
  it.each(calls)('%s answers the right credentials', async (_service, call) => {
    await expect(call(aws.local.credentials)).resolves.toBeDefined();
  });

  const wrongSecret = (): Creds => ({ ...aws.local.credentials, secretAccessKey: 'x'.repeat(40) });
  const wrongKey = (): Creds => ({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: aws.local.credentials.secretAccessKey });
  it.each([
    // SQS's JSON protocol names the error by its query-protocol code (x-amzn-query-error), as real SQS does.
    ['sqs', 'SignatureDoesNotMatch', 'InvalidClientTokenId'],
    ['sns', 'SignatureDoesNotMatch', 'InvalidClientTokenId'],
    ['s3', 'SignatureDoesNotMatch', 'InvalidAccessKeyId'],
    ['dynamodb', 'InvalidSignatureException', 'UnrecognizedClientException'],
  ])('%s refuses a wrong secret (%s) and an unknown key (%s)', async (service, badSecret, badKey) => {
    const call = calls.find(([s]) => s === service)![1];
    expect(await errorName(call(wrongSecret()))).toBe(badSecret);
    expect(await errorName(call(wrongKey()))).toBe(badKey);
  });

  it('turns a refused signature into sqsops access error', async () => {
    const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: aws.local.endpoint, credentials: wrongSecret() });
    try {
      const err = await new SqsQueues(await clients.sqs()).list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AccessError);
    } finally {
      clients.destroy();
    }
  });

  it.each([
    ['sqs', { 'x-amz-target': 'AmazonSQS.ListQueues', 'content-type': JSON_10 }, '{}', 403, /MissingAuthenticationToken/],
    ['sns', { 'content-type': FORM }, 'Action=ListTopics&Version=2010-03-31', 403, /<Code>MissingAuthenticationToken<\/Code>/],
    ['s3', {}, undefined, 403, /<Code>AccessDenied<\/Code>/],
    [
      'dynamodb',
      { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': JSON_10 },
      '{}',
      400,
      /MissingAuthenticationTokenException/,
    ],
  ])('%s refuses a raw unsigned request', async (_service, headers, body, status, shape) => {
    const res = await fetch(`${aws.local.endpoint}/`, { method: body ? 'POST' : 'GET', headers, ...(body ? { body } : {}) });
    expect(res.status).toBe(status);
    expect(await res.text()).toMatch(shape);
  });

  it('refuses a raw request with a forged signature', async () => {
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const { accessKeyId } = aws.local.credentials;
    const res = await fetch(`${aws.local.endpoint}/`, {
      method: 'POST',
      headers: {
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-date': date,
        authorization:
          `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${date.slice(0, 8)}/us-east-1/dynamodb/aws4_request, ` +
          `SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: 'com.amazon.coral.service#InvalidSignatureException' });
  });

  it('accepts S3 uploads (streaming checksums) and presigned URLs, and refuses a tampered one', async () => {
    const s3 = new S3Client({ ...config(aws.local.credentials), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'auth-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'auth-bucket', Key: 'a b/ü.txt', Body: 'hello' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'auth-bucket', Key: 'a b/ü.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello');
    const url = await presignGet('/auth-bucket/a%20b/%C3%BC.txt', aws.local.credentials, 60);
    const ok = await fetch(url);
    expect(await ok.text()).toBe('hello');
    const tampered = await fetch(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=61'));
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toMatch(/<Code>SignatureDoesNotMatch<\/Code>/);
    s3.destroy();
  });

  it('serves SQS through the credentials the starter returned', async () => {
    const sqs = new SQSClient(config(aws.local.credentials));
    const made = await sqs.send(new CreateQueueCommand({ QueueName: 'auth-q' }));
    expect(made.QueueUrl).toMatch(/auth-q$/);
    sqs.destroy();
  });
});
