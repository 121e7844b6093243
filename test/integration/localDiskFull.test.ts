/**
 * The embedded local AWS on a disk that fills up (a real tmpfs): each service answers
 * ServiceUnavailable (503) instead of crashing the process or half-storing, stores nothing
 * it answered "failed" for, and works again once space is freed, with no restart; what it
 * answered OK after that is still there after a restart.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../../src/local/server.js';
import { fillDisk, mountTmpfs, tmpfsAvailable, type Tmpfs } from '../helpers/tmpfs.js';

const run = tmpfsAvailable('local AWS on a full disk');

async function rejection(p: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await p;
  } catch (e: unknown) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error('expected the call to fail');
}

describe.runIf(run)('the local AWS on a full disk', () => {
  let disk: Tmpfs;
  let local: LocalAws;
  let sqs: SQSClient;
  let ddb: DynamoDBClient;
  let s3: S3Client;
  let queueUrl: string;
  let fifoUrl: string;
  let filler: string;
  /** What the tests on the full disk leave for the one that frees it to check. */
  let batchOk: string[] = [];
  let fifoSend: () => Promise<unknown> = async () => undefined;
  const big = 'b'.repeat(200_000); // more than SQLite's write-ahead log can take in place

  const connect = () => {
    const config = { endpoint: local.endpoint, region: 'us-east-1', credentials: local.credentials, maxAttempts: 1 };
    sqs = new SQSClient(config);
    ddb = new DynamoDBClient(config);
    s3 = new S3Client({ ...config, forcePathStyle: true });
  };
  const receiveAll = async (url: string) => {
    const bodies: string[] = [];
    for (;;) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (!r.Messages?.length) return bodies;
      for (const m of r.Messages) {
        bodies.push(m.Body ?? '');
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
      }
    }
  };

  beforeAll(async () => {
    const mounted = mountTmpfs(24 * 1024);
    if (typeof mounted === 'string') throw new Error(mounted);
    disk = mounted;
    local = await startLocalAws({ dataDir: join(disk.dir, 'state') });
    connect();
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'full' }))).QueueUrl!;
    fifoUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'full.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
    await ddb.send(
      new CreateTableCommand({
        TableName: 'ledger',
        AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
        ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'full-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'full-bucket', Key: 'k', Body: 'before' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'before' }));
    filler = fillDisk(disk.dir);
  });
  afterAll(async () => {
    for (const c of [sqs, ddb, s3]) c?.destroy();
    await local?.stop();
    disk?.cleanup();
  });

  it('answers SendMessage with ServiceUnavailable, and the message is not on the queue', async () => {
    const e = await rejection(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: big })));
    expect(e).toMatchObject({ name: expect.stringMatching(/ServiceUnavailable$/), status: 503 });
    expect(e.message).toMatch(/^No space left on device under the local AWS's state folder .*state/);
  });

  it('answers each SendMessageBatch entry: the Successful ones are on the queue, the Failed ones are not', async () => {
    const entries = Array.from({ length: 5 }, (_, i) => ({ Id: `e${i}`, MessageBody: `${i}${big.slice(0, 50_000)}` }));
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    expect(out.Failed?.length).toBeGreaterThan(0);
    for (const f of out.Failed ?? []) expect(f).toMatchObject({ Code: 'ServiceUnavailable', SenderFault: false });
    const ok = (out.Successful ?? []).map((s) => s.Id);
    expect(ok.length + (out.Failed?.length ?? 0)).toBe(5);
    // Read back below, once there is room again: before + the Successful entries, nothing else.
    batchOk = ok.map((id) => `${id!.slice(1)}${big.slice(0, 50_000)}`);
  });

  it('answers a FIFO send with ServiceUnavailable and keeps no deduplication record of it', async () => {
    fifoSend = () =>
      sqs.send(new SendMessageCommand({ QueueUrl: fifoUrl, MessageBody: big, MessageGroupId: 'g', MessageDeduplicationId: 'once' }));
    expect(await rejection(fifoSend())).toMatchObject({ name: expect.stringMatching(/ServiceUnavailable$/), status: 503 });
  });

  it('answers DynamoDB writes with ServiceUnavailable and stays up for reads', async () => {
    const put = ddb.send(new PutItemCommand({ TableName: 'ledger', Item: { k: { S: 'a' }, v: { S: big.slice(0, 1000) } } }));
    expect(await rejection(put)).toMatchObject({ name: 'ServiceUnavailable', status: 503 });
    const got = await ddb.send(new GetItemCommand({ TableName: 'ledger', Key: { k: { S: 'a' } } }));
    expect(got.Item).toBeUndefined();
  });

  it('answers an S3 overwrite with ServiceUnavailable and keeps the object as it was', async () => {
    const put = s3.send(new PutObjectCommand({ Bucket: 'full-bucket', Key: 'k', Body: big }));
    expect(await rejection(put)).toMatchObject({ name: 'ServiceUnavailable', status: 503 });
    const body = await (await s3.send(new GetObjectCommand({ Bucket: 'full-bucket', Key: 'k' }))).Body?.transformToString();
    expect(body).toBe('before');
  });

  it('works again once space is freed, with no restart, and keeps it across a restart', async () => {
    rmSync(filler);
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'after' }));
    await fifoSend();
    for (let i = 0; i < 20; i++) await ddb.send(new PutItemCommand({ TableName: 'ledger', Item: { k: { S: `after${i}` } } }));
    await s3.send(new PutObjectCommand({ Bucket: 'full-bucket', Key: 'k', Body: 'after' }));

    expect((await receiveAll(queueUrl)).sort()).toEqual(['after', 'before', ...batchOk].sort());
    expect(await receiveAll(fifoUrl)).toEqual([big]); // stored on the retry: no stale deduplication record

    await local.stop();
    local = await startLocalAws({ dataDir: join(disk.dir, 'state') });
    for (const c of [sqs, ddb, s3]) c.destroy();
    connect();
    for (let i = 0; i < 20; i++) {
      const got = await ddb.send(new GetItemCommand({ TableName: 'ledger', Key: { k: { S: `after${i}` } } }));
      expect(got.Item?.k?.S).toBe(`after${i}`);
    }
    const body = await (await s3.send(new GetObjectCommand({ Bucket: 'full-bucket', Key: 'k' }))).Body?.transformToString();
    expect(body).toBe('after');
  });
});
