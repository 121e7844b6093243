import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { startFaultProxy } from '../helpers/faultProxy.js';
import { produce } from '../../src/features/produce/produce.js';
import { createClients } from '../../src/aws/clients.js';
import { QueueNotFoundError, UsageError } from '../../src/core/errors.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());

describe('produce', () => {
  it('sends every generated event and creates the missing queue with its DLQ on the local target', async () => {
    const notes: string[] = [];
    const r = await produce(aws.clients, { queue: 'p-basic', count: 137, notify: (m) => notes.push(m) });
    expect(r).toMatchObject({ sent: 137, failed: [], total: 137 });
    expect(notes.join('\n')).toMatch(/created queue p-basic with DLQ p-basic-dlq/);
    expect((await aws.depth(r.queueUrl)).visible).toBe(137);
    const ref = await aws.queues.resolve('p-basic');
    expect(ref.deadLetterTargetArn).toMatch(/p-basic-dlq$/);
    const bodies = await aws.drain(r.queueUrl);
    expect(new Set(bodies.map((b) => JSON.parse(b.body).orderId)).size).toBe(137);
  });

  it('injects the asked ratio of duplicates (same body) and poison (unparseable or keyless)', async () => {
    const r = await produce(aws.clients, { queue: 'p-inject', count: 400, duplicates: 0.2, invalid: 0.1, seed: 42 });
    expect(r.sent).toBe(400);
    expect(r.injected.duplicates).toBeGreaterThan(40);
    expect(r.injected.invalid).toBeGreaterThan(15);
    const bodies = (await aws.drain(r.queueUrl)).map((m) => m.body);
    const poison = bodies.filter((b) => {
      try {
        const v = JSON.parse(b);
        return typeof v.orderId !== 'string' || typeof v.total !== 'number';
      } catch {
        return true;
      }
    });
    expect(poison.length).toBe(r.injected.invalid);
    const valid = bodies.filter((b) => !poison.includes(b));
    expect(valid.length - new Set(valid).size).toBe(r.injected.duplicates);
  });

  it('is reproducible with a seed', async () => {
    const a = await produce(aws.clients, { queue: 'p-seed-a', count: 5, seed: 9, concurrency: 1 });
    const b = await produce(aws.clients, { queue: 'p-seed-b', count: 5, seed: 9, concurrency: 1 });
    const sort = (xs: { body: string }[]) => xs.map((x) => x.body).sort();
    expect(sort(await aws.drain(a.queueUrl))).toEqual(sort(await aws.drain(b.queueUrl)));
  });

  it('keeps per-group order on a FIFO queue while sending on parallel lanes', async () => {
    const inputs = Array.from({ length: 120 }, (_, i) => ({
      body: JSON.stringify({ customerId: `c${i % 4}`, seq: i }),
      source: `#${i + 1}`,
    }));
    const r = await produce(aws.clients, { queue: 'p-order.fifo', inputs, groupBy: 'customerId', concurrency: 4 });
    expect(r).toMatchObject({ sent: 120, fifo: true });
    const got = await aws.drain(r.queueUrl);
    expect(got).toHaveLength(120);
    for (const g of ['c0', 'c1', 'c2', 'c3']) {
      const seqs = got.filter((m) => m.groupId === g).map((m) => JSON.parse(m.body).seq as number);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(seqs).toHaveLength(30);
    }
  });

  it('lets a FIFO queue drop resends inside the dedup window (hash dedup ids)', async () => {
    const body = JSON.stringify({ orderId: 'same' });
    const inputs = [body, body, JSON.stringify({ orderId: 'other' })].map((b, i) => ({ body: b, source: `#${i + 1}` }));
    const r = await produce(aws.clients, { queue: 'p-dedup.fifo', inputs });
    expect(r.sent).toBe(3);
    expect(await aws.drain(r.queueUrl)).toHaveLength(2);
  });

  it('sends nothing when one entry has a character SQS refuses, naming its place and the rule', async () => {
    const inputs = ['{"ok":1}', 'bad\u0000body', '{"ok":2}'].map((b, i) => ({ body: b, source: `f.ndjson:${i + 1}` }));
    await expect(produce(aws.clients, { queue: 'p-refused', inputs })).rejects.toThrow(
      /^f\.ndjson:2: body has the control character U\+0000 at character 4; SQS accepts only #x9 #xA #xD/,
    );
    await expect(aws.queues.resolve('p-refused')).rejects.toBeInstanceOf(QueueNotFoundError);
  });

  it('sends nothing when any body is over the 1 MiB limit', async () => {
    const inputs = [
      { body: '{"a":1}', source: 'f:1' },
      { body: 'x'.repeat(1024 * 1024 + 1), source: 'f:2' },
    ];
    await expect(produce(aws.clients, { queue: 'p-big', inputs })).rejects.toThrow(/^f:2: body is 1048577 bytes, over SQS's 1 MiB limit/);
    await expect(aws.queues.resolve('p-big')).rejects.toBeInstanceOf(QueueNotFoundError);
  });

  it('packs large bodies so no request crosses the byte cap', async () => {
    const inputs = Array.from({ length: 12 }, (_, i) => ({ body: JSON.stringify({ i, pad: 'x'.repeat(300 * 1024) }), source: `#${i}` }));
    const r = await produce(aws.clients, { queue: 'p-large', inputs });
    expect(r).toMatchObject({ sent: 12, failed: [] });
  });

  it('rejects FIFO options on a standard queue and an unknown template', async () => {
    await expect(produce(aws.clients, { queue: 'p-basic', count: 1, groupBy: 'x' })).rejects.toThrow(UsageError);
    await expect(produce(aws.clients, { queue: 'p-basic', count: 1, template: 'nope' })).rejects.toThrow(/unknown template "nope"/);
  });

  it('retries batches the server fails and sends each message exactly once', async () => {
    const proxy = await startFaultProxy(aws.local.endpoint);
    const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: proxy.endpoint, credentials: aws.local.credentials });
    try {
      await produce(clients, { queue: 'p-faulty', count: 1 });
      await aws.drain((await aws.queues.resolve('p-faulty')).url);
      // Enough 500s to exhaust the SDK's own 3 attempts for several batches.
      proxy.addRule({ target: 'AmazonSQS.SendMessageBatch', times: 7, kind: 'status500' });
      const r = await produce(clients, { queue: 'p-faulty', count: 50, concurrency: 2 });
      expect(proxy.injected['AmazonSQS.SendMessageBatch']).toBe(7);
      expect(r).toMatchObject({ sent: 50, failed: [] });
      const got = await aws.drain(r.queueUrl);
      expect(got).toHaveLength(50);
      expect(new Set(got.map((m) => m.body)).size).toBe(50);
    } finally {
      clients.destroy();
      await proxy.close();
    }
  });
});
