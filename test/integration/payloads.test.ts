/**
 * Large payloads through S3 on the local AWS, in the SQS Extended Client format: produce
 * offloads, consume / process-sqs / the Lambda resolve and delete, move carries the pointer.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@aws-sdk/client-sqs';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { produce } from '../../src/features/produce/produce.js';
import { consume } from '../../src/features/consume/consume.js';
import { processSqs } from '../../src/features/process/runner.js';
import { moveMessages } from '../../src/features/move/move.js';
import { spySink } from '../helpers/spySink.js';
import { createHandler, type SqsEvent } from '../../src/lambda.js';
import { Ledger } from '../../src/aws/ledger.js';
import { ObjectStore } from '../../src/aws/objects.js';
import { readPointer } from '../../src/core/payloadPointer.js';

const MiB = 1024 * 1024;
const BUCKET = 'sqsops-large';
let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
  await new ObjectStore(await aws.clients.s3()).createBucket(BUCKET);
});
afterAll(async () => aws.stop());

/** A JSON body of about `bytes` bytes, different per seed. */
const bigBody = (bytes: number, seed: string) =>
  JSON.stringify({ orderId: seed, pad: seed.repeat(Math.ceil(bytes / seed.length)).slice(0, bytes) });
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

async function exists(key: string): Promise<boolean> {
  return (await aws.clients.s3()).send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(
    () => true,
    () => false,
  );
}

async function peekOne(url: string): Promise<Message> {
  const [m] = await aws.queues.receive(url, { max: 1, waitSeconds: 1, visibilityTimeout: 0 });
  return m!;
}

describe('large payloads', () => {
  it('produce stores a 5 MiB body in S3 and sends the Extended Client pointer; small ones go as they are', async () => {
    const body = bigBody(5 * MiB, 'five');
    const r = await produce(aws.clients, { queue: 'lp-produce', inputs: [{ body, source: '#1' }], largePayloadBucket: BUCKET });
    expect(r).toMatchObject({ sent: 1, failed: [] });
    const m = await peekOne((await aws.queues.resolve('lp-produce')).url);
    expect(m.Body).toMatch(
      /^\["software\.amazon\.payloadoffloading\.PayloadS3Pointer",\{"s3BucketName":"sqsops-large","s3Key":"[0-9a-f-]{36}"\}\]$/,
    );
    expect(m.MessageAttributes?.ExtendedPayloadSize).toMatchObject({ DataType: 'Number', StringValue: String(Buffer.byteLength(body)) });
    const pointer = readPointer(m.Body!, m.MessageAttributes)!;
    const stored = await (await aws.clients.s3()).send(new GetObjectCommand({ Bucket: BUCKET, Key: pointer.key }));
    expect(sha(await stored.Body!.transformToString())).toBe(sha(body));
    const small = await produce(aws.clients, {
      queue: 'lp-small',
      inputs: [{ body: '{"orderId":"s"}', source: '#1' }],
      largePayloadBucket: BUCKET,
    });
    expect(small.sent).toBe(1);
    expect((await peekOne((await aws.queues.resolve('lp-small')).url)).Body).toBe('{"orderId":"s"}');
  });

  it('consume shows and exports the real body and deletes the object with the message; --keep-payloads keeps it', async () => {
    for (const [queue, keep] of [
      ['lp-consume', false],
      ['lp-keep', true],
    ] as const) {
      const body = bigBody(5 * MiB, queue);
      await produce(aws.clients, { queue, inputs: [{ body, source: '#1' }], largePayloadBucket: BUCKET });
      const pointer = readPointer((await peekOne((await aws.queues.resolve(queue)).url)).Body!, { ExtendedPayloadSize: '1' })!;
      const r = await consume(aws.clients, { queue, count: 1, ledgerTable: 'lp-ledger', waitSeconds: 1, keepPayloads: keep });
      expect(r.messages.map((m) => [m.status, m.deleted, sha(m.body)])).toEqual([['recorded', true, sha(body)]]);
      expect(await exists(pointer.key)).toBe(keep);
    }
  });

  it('process-sqs gives the sinks the real 50 MiB body, deletes the object after success', async () => {
    const body = bigBody(50 * MiB, 'fifty');
    const sent = await produce(aws.clients, { queue: 'lp-process', inputs: [{ body, source: '#1' }], largePayloadBucket: BUCKET });
    expect(sent.failed).toEqual([]);
    const url = (await aws.queues.resolve('lp-process')).url;
    const pointer = readPointer((await peekOne(url)).Body!, { ExtendedPayloadSize: '1' })!;
    expect(await exists(pointer.key)).toBe(true);
    const seen: string[] = [];
    const rssBefore = process.memoryUsage().rss;
    const r = await processSqs(aws.clients, {
      queue: 'lp-process',
      ledgerTable: 'lp-ledger',
      key: 'orderId',
      sinks: [spySink('spy', (m) => void seen.push(sha(m.raw)))],
      drain: true,
      waitSeconds: 0,
    });
    const grown = (process.memoryUsage().rss - rssBefore) / MiB;
    console.log(`process-sqs, one 50 MiB payload: rss grew ${grown.toFixed(0)} MiB`);
    expect(r.handled).toBe(1);
    expect(seen).toEqual([sha(body)]);
    expect((await new Ledger(await aws.clients.dynamodb(), 'lp-ledger').get({ consumer: 'lp-process', key: 'fifty' }))?.payloadHash).toBe(
      sha(body),
    );
    expect(await exists(pointer.key)).toBe(false);
    expect(await aws.depth(url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('a pointer whose object is missing is poison: to the DLQ with the reason, the pointer unchanged', async () => {
    const dlqUrl = await aws.queues.create({ name: 'lp-missing-dlq' });
    const url = await aws.queues.create({ name: 'lp-missing' });
    const pointerBody = JSON.stringify([
      'software.amazon.payloadoffloading.PayloadS3Pointer',
      { s3BucketName: BUCKET, s3Key: 'gone-0000' },
    ]);
    await aws.queues.sendBatch(url, [
      { id: '0', body: pointerBody, attributes: { ExtendedPayloadSize: { DataType: 'Number', StringValue: '6000000' } } },
    ]);
    const r = await processSqs(aws.clients, {
      queue: 'lp-missing',
      ledgerTable: 'lp-ledger',
      dlq: 'lp-missing-dlq',
      drain: true,
      waitSeconds: 0,
    });
    expect(r.metrics).toMatchObject({ MessagesReceived: 1, InvalidMessages: 1 });
    const [dead] = await aws.queues.receive(dlqUrl, { max: 1, waitSeconds: 1 });
    expect(dead!.Body).toBe(pointerBody);
    expect(dead!.MessageAttributes?.['sqsops.error']?.StringValue).toMatch(
      /large payload s3:\/\/sqsops-large\/gone-0000 is missing \(NoSuchKey\)/,
    );
  });

  it('reads what an older Java Extended Client wrote (SQSLargePayloadSize, MessageS3Pointer)', async () => {
    const body = bigBody(2 * MiB, 'java');
    await (await aws.clients.s3()).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'java-legacy', Body: body }));
    const url = await aws.queues.create({ name: 'lp-java' });
    const legacy = JSON.stringify(['com.amazon.sqs.javamessaging.MessageS3Pointer', { s3BucketName: BUCKET, s3Key: 'java-legacy' }]);
    await aws.queues.sendBatch(url, [
      { id: '0', body: legacy, attributes: { SQSLargePayloadSize: { DataType: 'Number', StringValue: String(body.length) } } },
    ]);
    const r = await consume(aws.clients, { queue: 'lp-java', count: 1, ledgerTable: 'lp-ledger', waitSeconds: 1 });
    expect(sha(r.messages[0]!.body)).toBe(sha(body));
    expect(await exists('java-legacy')).toBe(false);
  });

  it('move carries the pointer untouched and leaves the object where it is', async () => {
    const body = bigBody(5 * MiB, 'move');
    await produce(aws.clients, { queue: 'lp-move-a', inputs: [{ body, source: '#1' }], largePayloadBucket: BUCKET });
    const before = await peekOne((await aws.queues.resolve('lp-move-a')).url);
    await aws.queues.create({ name: 'lp-move-b' });
    const r = await moveMessages(aws.clients, { from: 'lp-move-a', to: 'lp-move-b', waitSeconds: 1, visibilityTimeout: 10 });
    expect(r.moved).toBe(1);
    const after = await peekOne((await aws.queues.resolve('lp-move-b')).url);
    expect(after.Body).toBe(before.Body);
    expect(after.MessageAttributes?.ExtendedPayloadSize).toEqual(before.MessageAttributes?.ExtendedPayloadSize);
    expect(await exists(readPointer(after.Body!, after.MessageAttributes)!.key)).toBe(true);
  });

  it('the Lambda handler resolves a pointer and deletes the object after success', async () => {
    const body = bigBody(5 * MiB, 'lambda');
    await produce(aws.clients, { queue: 'lp-lambda', inputs: [{ body, source: '#1' }], largePayloadBucket: BUCKET });
    const url = (await aws.queues.resolve('lp-lambda')).url;
    const [m] = await aws.queues.receive(url, { max: 1, waitSeconds: 1, visibilityTimeout: 60 });
    await new Ledger(await aws.clients.dynamodb(), 'lp-lambda-ledger').create();
    const env = {
      AWS_ENDPOINT_URL: aws.local.endpoint,
      AWS_ACCESS_KEY_ID: aws.local.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws.local.credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
      SQSOPS_LEDGER_TABLE: 'lp-lambda-ledger',
      SQSOPS_KEY: 'orderId',
      SQSOPS_LOG_FORMAT: 'off',
      SQSOPS_METRICS: 'none',
    };
    const event: SqsEvent = {
      Records: [
        {
          messageId: m!.MessageId!,
          receiptHandle: m!.ReceiptHandle!,
          body: m!.Body!,
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: m!.Attributes?.SentTimestamp },
          messageAttributes: Object.fromEntries(
            Object.entries(m!.MessageAttributes ?? {}).map(([k, v]) => [
              k,
              { stringValue: v.StringValue, dataType: v.DataType ?? 'String' },
            ]),
          ),
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:lp-lambda',
        },
      ],
    };
    const res = await createHandler(env)(event);
    expect(res.batchItemFailures).toEqual([]);
    expect(
      (await new Ledger(await aws.clients.dynamodb(), 'lp-lambda-ledger').get({ consumer: 'lp-lambda', key: 'lambda' }))?.payloadHash,
    ).toBe(sha(body));
    expect(await exists(readPointer(m!.Body!, m!.MessageAttributes)!.key)).toBe(false);
  });
});
