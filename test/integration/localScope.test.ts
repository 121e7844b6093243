/**
 * The local AWS's gate checks what AWS checks, through the real SDK clients over the wire:
 * a body changed after signing, a signature scoped to another service or to no region AWS
 * has, a region other than the one a request addresses, and an expired presigned URL. Each
 * refused request leaves no trace in the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQSClient, ListQueuesCommand, CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SNSClient, CreateTopicCommand, PublishCommand } from '@aws-sdk/client-sns';
import { S3Client, CreateBucketCommand, PutObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDBClient, CreateTableCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { NodeSha256 } from '../../src/local/sigv4.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());

const config = (region = 'us-east-1') => ({ endpoint: aws.local.endpoint, region, credentials: aws.local.credentials, maxAttempts: 1 });

type Stack = { middlewareStack: { addRelativeTo(mw: unknown, options: unknown): void } };

/** Runs `change` on each request after the SDK signed it, as a man in the middle would. */
function afterSigning(client: Stack, change: (request: HttpRequest) => Promise<void> | void): void {
  client.middlewareStack.addRelativeTo(
    (next: (args: { request: HttpRequest }) => Promise<unknown>) => async (args: { request: HttpRequest }) => {
      await change(args.request);
      return next(args);
    },
    { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamper', override: true },
  );
}

/** Signs the SDK's request again, for another service, with the local AWS's own key. */
function resignFor(service: string) {
  return async (request: HttpRequest) => {
    for (const h of Object.keys(request.headers))
      if (/^(authorization|x-amz-date|x-amz-content-sha256)$/i.test(h)) delete request.headers[h];
    const signer = new SignatureV4({ credentials: aws.local.credentials, region: 'us-east-1', service, sha256: NodeSha256 });
    const signed = await signer.sign(request);
    Object.assign(request.headers, signed.headers);
  };
}

/** A request body as text, whether the SDK built it as a string or as bytes. */
const text = (body: unknown) => (typeof body === 'string' ? body : Buffer.from(body as Uint8Array).toString('utf8'));

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => ({ name: 'no error', message: '' }),
    (e: unknown) => ({ name: (e as Error).name, message: (e as Error).message }),
  );

describe('a body changed after signing is refused, and not stored', () => {
  it('SQS SendMessage: SignatureDoesNotMatch, the queue stays empty', async () => {
    const sqs = new SQSClient(config());
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'scope-tamper' }));
    afterSigning(sqs, (r) => {
      r.body = text(r.body).replace('body-A', 'body-B');
    });
    const r = await refusal(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'body-A' })));
    expect(r.name).toBe('SignatureDoesNotMatch');
    expect(await aws.depth(QueueUrl!)).toEqual({ visible: 0, inFlight: 0 });
    sqs.destroy();
  });

  it('S3 PutObject: XAmzContentSHA256Mismatch, no object', async () => {
    const s3 = new S3Client({ ...config(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'scope-tamper' }));
    afterSigning(s3, (r) => {
      r.body = Buffer.from('body-B');
    });
    const r = await refusal(s3.send(new PutObjectCommand({ Bucket: 'scope-tamper', Key: 'k', Body: Buffer.from('body-A') })));
    expect(r.name).toBe('XAmzContentSHA256Mismatch');
    const plain = new S3Client({ ...config(), forcePathStyle: true });
    expect((await plain.send(new ListObjectsV2Command({ Bucket: 'scope-tamper' }))).KeyCount).toBe(0);
    s3.destroy();
    plain.destroy();
  });

  it('DynamoDB PutItem: InvalidSignatureException, no item', async () => {
    const ddb = new DynamoDBClient(config());
    await ddb.send(
      new CreateTableCommand({
        TableName: 'scope-tamper',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const tampering = new DynamoDBClient(config());
    afterSigning(tampering, (r) => {
      r.body = text(r.body).replace('item-A', 'item-B');
    });
    const r = await refusal(tampering.send(new PutItemCommand({ TableName: 'scope-tamper', Item: { pk: { S: 'item-A' } } })));
    expect(r.name).toBe('InvalidSignatureException');
    expect((await ddb.send(new ScanCommand({ TableName: 'scope-tamper' }))).Count).toBe(0);
    ddb.destroy();
    tampering.destroy();
  });
});

describe('the credential scope must fit the request', () => {
  it.each(['s3', 'dynamodb', 'foo'])('SQS refuses a request signed for %s', async (service) => {
    const sqs = new SQSClient(config());
    afterSigning(sqs, resignFor(service));
    const r = await refusal(sqs.send(new ListQueuesCommand({})));
    expect(r).toEqual({ name: 'SignatureDoesNotMatch', message: "Credential should be scoped to correct service: 'sqs'. " });
    sqs.destroy();
  });

  it('DynamoDB and S3 refuse a request signed for sqs', async () => {
    const ddb = new DynamoDBClient(config());
    afterSigning(ddb, resignFor('sqs'));
    expect((await refusal(ddb.send(new ScanCommand({ TableName: 'scope-tamper' })))).name).toBe('InvalidSignatureException');
    const s3 = new S3Client({ ...config(), forcePathStyle: true });
    afterSigning(s3, resignFor('sqs'));
    expect((await refusal(s3.send(new ListObjectsV2Command({ Bucket: 'scope-tamper' })))).name).toBe('AuthorizationHeaderMalformed');
    ddb.destroy();
    s3.destroy();
  });

  it('refuses a region no AWS partition has, and serves any real one', async () => {
    const nowhere = new SQSClient(config('xx-nowhere-9'));
    expect(await refusal(nowhere.send(new ListQueuesCommand({})))).toEqual({
      name: 'SignatureDoesNotMatch',
      message: "Credential should be scoped to a valid region, not 'xx-nowhere-9'. ",
    });
    const sydney = new SQSClient(config('ap-southeast-2'));
    await expect(sydney.send(new ListQueuesCommand({}))).resolves.toBeDefined();
    nowhere.destroy();
    sydney.destroy();
  });

  it('holds a call to the region of the topic it names: nothing is published from another region', async () => {
    const home = new SNSClient(config('eu-west-1'));
    const sqs = new SQSClient(config('eu-west-1'));
    const { TopicArn } = await home.send(new CreateTopicCommand({ Name: 'scope-topic' }));
    expect(TopicArn).toMatch(/^arn:aws:sns:eu-west-1:/);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'scope-sub' }));
    const { SubscribeCommand } = await import('@aws-sdk/client-sns');
    const queueArn = `arn:aws:sqs:eu-west-1:000000000000:scope-sub`;
    await home.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));

    const away = new SNSClient(config('us-east-1'));
    const r = await refusal(away.send(new PublishCommand({ TopicArn, Message: 'from elsewhere' })));
    expect(r.name).toBe('SignatureDoesNotMatch');
    expect(r.message).toBe("Credential should be scoped to region 'eu-west-1' (the region of its TopicArn), not 'us-east-1'. ");
    await home.send(new PublishCommand({ TopicArn, Message: 'from home' }));
    const { ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    expect(got.Messages?.map((m) => m.Body)).toEqual(['from home']);
    for (const c of [home, sqs, away]) c.destroy();
  });
});

describe('ListQueues', () => {
  it('lists the queues of the region it is signed for, as AWS does, page by page', async () => {
    const east = new SQSClient(config('us-east-2'));
    const west = new SQSClient(config('us-west-2'));
    for (const n of ['list-a', 'list-b', 'list-c']) await east.send(new CreateQueueCommand({ QueueName: n }));
    await west.send(new CreateQueueCommand({ QueueName: 'list-w' }));
    const names = (urls: string[] | undefined) => (urls ?? []).map((u) => u.split('/').pop());
    expect(names((await west.send(new ListQueuesCommand({ QueueNamePrefix: 'list-' }))).QueueUrls)).toEqual(['list-w']);
    const first = await east.send(new ListQueuesCommand({ QueueNamePrefix: 'list-', MaxResults: 2 }));
    expect(names(first.QueueUrls)).toEqual(['list-a', 'list-b']);
    const rest = await east.send(new ListQueuesCommand({ QueueNamePrefix: 'list-', MaxResults: 2, NextToken: first.NextToken }));
    expect(names(rest.QueueUrls)).toEqual(['list-c']);
    expect(rest.NextToken).toBeUndefined();
    east.destroy();
    west.destroy();
  });
});

/** The SDK's own S3 signer, with the local AWS's credentials. */
function s3Signer(): SignatureV4 {
  return new SignatureV4({
    credentials: aws.local.credentials,
    region: 'us-east-1',
    service: 's3',
    sha256: NodeSha256,
    uriEscapePath: false,
  });
}

describe('signed streaming uploads', () => {
  /** A PUT in STREAMING-AWS4-HMAC-SHA256-PAYLOAD: the request's own (seed) signature made by the SDK's signer, each chunk chained to it. */
  async function streamingPut(key: string, data: string, tamper?: (wire: string) => string): Promise<Response> {
    const url = new URL(aws.local.endpoint);
    const now = new Date();
    const signer = s3Signer();
    const signed = await signer.sign(
      {
        method: 'PUT',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: `/scope-stream/${key}`,
        query: {},
        headers: {
          host: url.host,
          'content-encoding': 'aws-chunked',
          'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
          'x-amz-decoded-content-length': String(Buffer.byteLength(data)),
        },
      },
      { signingDate: now },
    );
    const headers = signed.headers as Record<string, string>;
    const auth = headers.authorization ?? headers.Authorization ?? '';
    const seed = /Signature=([0-9a-f]{64})/.exec(auth)![1]!;
    const longDate = headers['x-amz-date']!;
    const scope = `${longDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
    const { getSigningKey } = await import('@smithy/signature-v4');
    const key4 = Buffer.from(await getSigningKey(NodeSha256, aws.local.credentials, longDate.slice(0, 8), 'us-east-1', 's3'));
    const { createHash, createHmac } = await import('node:crypto');
    const sha = (d: string) => createHash('sha256').update(d).digest('hex');
    const sign = (prev: string, d: string) =>
      createHmac('sha256', key4)
        .update(`AWS4-HMAC-SHA256-PAYLOAD\n${longDate}\n${scope}\n${prev}\n${sha('')}\n${sha(d)}`)
        .digest('hex');
    const c1 = sign(seed, data);
    const c0 = sign(c1, '');
    let wire = `${Buffer.byteLength(data).toString(16)};chunk-signature=${c1}\r\n${data}\r\n0;chunk-signature=${c0}\r\n\r\n`;
    if (tamper) wire = tamper(wire);
    const { host: _host, ...sent } = headers;
    return fetch(`${aws.local.endpoint}/scope-stream/${key}`, { method: 'PUT', headers: sent, body: wire });
  }

  it('stores an upload whose chunks are all signed in the chain, and refuses one with a changed chunk', async () => {
    const s3 = new S3Client({ ...config(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'scope-stream' }));
    const good = await streamingPut('good', 'hello world');
    expect(good.status).toBe(200);
    const bad = await streamingPut('bad', 'hello world', (w) => w.replace('hello world', 'HELLO world'));
    expect(bad.status).toBe(403);
    expect(await bad.text()).toMatch(/<Code>SignatureDoesNotMatch<\/Code>.*a chunk signature does not match/);
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: 'scope-stream' }))).Contents?.map((o) => o.Key);
    expect(keys).toEqual(['good']);
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'scope-stream', Key: 'good' }));
    expect(await got.Body?.transformToString()).toBe('hello world');
    s3.destroy();
  });
});

describe('presigned URLs', () => {
  it('an expired one answers AccessDenied, Request has expired', async () => {
    const s3 = new S3Client({ ...config(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'scope-presign' }));
    await s3.send(new PutObjectCommand({ Bucket: 'scope-presign', Key: 'k', Body: 'hello' }));
    const url = new URL(aws.local.endpoint);
    const signer = s3Signer();
    const presign = (signingDate: Date) =>
      signer.presign(
        {
          method: 'GET',
          protocol: 'http:',
          hostname: url.hostname,
          port: Number(url.port),
          path: '/scope-presign/k',
          query: {},
          // As @aws-sdk/s3-request-presigner does: S3 presigned URLs sign UNSIGNED-PAYLOAD.
          headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        },
        {
          expiresIn: 60,
          signingDate,
          unsignableHeaders: new Set(['x-amz-content-sha256']),
          unhoistableHeaders: new Set(['x-amz-content-sha256']),
        },
      );
    const toUrl = (r: HttpRequest) =>
      `${aws.local.endpoint}${r.path}?${Object.entries(r.query ?? {})
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join('&')}`;
    const fresh = await fetch(toUrl(await presign(new Date())));
    expect(await fresh.text()).toBe('hello');
    const old = await fetch(toUrl(await presign(new Date(Date.now() - 120_000))));
    expect(old.status).toBe(403);
    const text = await old.text();
    expect(text).toMatch(/<Code>AccessDenied<\/Code>/);
    expect(text).toMatch(/<Message>Request has expired<\/Message>/);
    s3.destroy();
  });
});
