import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { createS3Sink, objectKeyFor } from '../../src/features/process/sinks/s3.js';
import { createTaskSink } from '../../src/features/tasks/taskSink.js';
import { ObjectStore } from '../../src/aws/objects.js';
import { sinkContract, message } from './contract.js';
import { describe, expect, it, afterAll } from 'vitest';

let aws: TestAws | undefined;
afterAll(async () => aws?.stop());

async function s3Under(mode: 'object' | 'batch') {
  aws ??= await startTestAws();
  const s3 = await aws.clients.s3();
  const bucket = `contract-${mode}`;
  await new ObjectStore(s3).createBucket(bucket);
  const list = async () => {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    return keys;
  };
  const make = () => createS3Sink({ s3, bucket, prefix: 'messages', mode });
  return {
    sink: make(),
    reopen: async () => make(),
    async read(key: string) {
      const objectKey = objectKeyFor('messages', message(key, {}));
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
        return (JSON.parse(await out.Body!.transformToString()) as { body: unknown }).body;
      } catch {
        return undefined;
      }
    },
    count: async () => (await list()).length,
    cleanup: async () => undefined,
  };
}

sinkContract('s3', () => s3Under('object'));

// A handle(message) module becomes a task: the tasks sink running it keeps the contract too.
const store = new Map<string, unknown>();
const memoryTasks = () =>
  createTaskSink({
    set: { tasks: [{ name: 'memory', file: '(test)', run: (m) => void store.set(m.key, m.body) }] },
    mode: 'requests',
    owner: 'contract',
  });
sinkContract('tasks', async () => ({
  sink: memoryTasks(),
  reopen: async () => memoryTasks(),
  read: async (key) => store.get(key),
  count: async () => store.size,
  cleanup: async () => store.clear(),
}));

describe('the s3 sink in batch mode', () => {
  it('writes one NDJSON object per batch, named by its keys so a redelivered batch rewrites it', async () => {
    const t = await s3Under('batch');
    const batch = [message('n1', { a: 1 }), message('n2', { b: 2 })];
    await t.sink.write(batch);
    await t.sink.write(batch);
    expect(await t.count()).toBe(1);
  });
});
