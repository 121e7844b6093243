/**
 * What produce says of a send that failed, through a fault proxy at the network edge: a
 * refusal (4xx) is failed, a 5xx, a reset or an answer cut off once the request was written
 * is unconfirmed; large-payload objects of surely failed sends are deleted, the others listed.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../helpers/faultProxy.js';
import { createClients, type AwsClients } from '../../src/aws/clients.js';
import { ObjectStore } from '../../src/aws/objects.js';
import { produce, type ProduceOptions, type ProduceResult } from '../../src/features/produce/produce.js';
import { STOP_GRACE_MS } from '../../src/core/grace.js';

const MiB = 1024 * 1024;
const SEND = 'AmazonSQS.SendMessageBatch';
let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());

/** Runs `test` with clients whose every call goes through a fresh fault proxy holding `rules`. */
async function throughProxy<T>(
  rules: Omit<FaultRule, 'target'>[],
  test: (clients: AwsClients, proxy: FaultProxy) => Promise<T>,
): Promise<T> {
  const proxy = await startFaultProxy(aws.local.endpoint);
  for (const rule of rules) proxy.addRule({ target: SEND, ...rule });
  const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: proxy.endpoint, credentials: aws.local.credentials });
  try {
    return await test(clients, proxy);
  } finally {
    clients.destroy();
    await proxy.close();
  }
}

const bodies = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ body: JSON.stringify({ tag, i }), source: `f:${i + 1}` }));
const addsUp = (r: ProduceResult) => expect(r.sent + r.failed.length + r.unconfirmed.length).toBe(r.total);

async function keysIn(bucket: string): Promise<string[]> {
  const out = await (await aws.clients.s3()).send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
}

describe('produce: failed or unconfirmed', () => {
  it('reports a batch the server answered 500 as unconfirmed, with what a resend means on a standard queue', async () => {
    const r = await throughProxy([{ kind: 'status500', times: 100 }], (clients) =>
      produce(clients, { queue: 'po-500', inputs: bodies(10, 'a'), maxAttempts: 1 }),
    );
    expect(r).toMatchObject({ sent: 0, failed: [], total: 10 });
    expect(r.unconfirmed).toHaveLength(10);
    expect(r.unconfirmed[0]).toMatchObject({ source: 'f:1', code: 'InternalError' });
    expect(r.resend).toMatch(/^standard queue: .* may deliver it twice$/);
    addsUp(r);
  });

  it('says a FIFO resend is covered by the deduplication id within 5 minutes', async () => {
    const r = await throughProxy([{ kind: 'status500', times: 100 }], (clients) =>
      produce(clients, { queue: 'po-500.fifo', inputs: bodies(3, 'f'), maxAttempts: 1 }),
    );
    expect(r.unconfirmed).toHaveLength(3);
    expect(r.resend).toMatch(/^FIFO queue: a resend with the same deduplication id within 5 minutes .* is dropped by SQS/);
  });

  it('reports a batch the server refused (400) as failed: it surely is not on the queue', async () => {
    const error = { status: 400, type: 'InvalidParameterValue', message: 'refused on purpose' };
    const r = await throughProxy([{ kind: 'awsError', error, times: 100 }], (clients) =>
      produce(clients, { queue: 'po-400', inputs: bodies(10, 'b'), maxAttempts: 1 }),
    );
    expect(r).toMatchObject({ sent: 0, unconfirmed: [] });
    expect(r.failed).toHaveLength(10);
    expect(r.failed[0]).toMatchObject({ code: 'InvalidParameterValue', reason: 'refused on purpose' });
    expect(r.resend).toBeUndefined();
    addsUp(r);
  });

  it('keeps unconfirmed a batch refused after an earlier attempt got a 500 (the SDK retried it; the first may have been stored)', async () => {
    const error = { status: 400, type: 'InvalidParameterValue' };
    const r = await throughProxy(
      [
        { kind: 'status500', times: 1 },
        { kind: 'awsError', error, times: 100 },
      ],
      (clients) => produce(clients, { queue: 'po-mixed', inputs: bodies(10, 'c'), maxAttempts: 1 }),
    );
    expect(r.failed).toEqual([]);
    expect(r.unconfirmed).toHaveLength(10);
  });

  it('reports a cut connection as unconfirmed, stops, and counts what never left as failed', async () => {
    const r = await throughProxy([{ kind: 'reset', times: 3 }], (clients) =>
      produce(clients, { queue: 'po-reset', inputs: bodies(30, 'd'), concurrency: 1 }),
    );
    expect(r.unconfirmed).toHaveLength(10);
    expect(r.unconfirmed[0]).toMatchObject({ code: 'EndpointError', reason: expect.stringMatching(/ECONNRESET|EPIPE|socket hang up/) });
    expect(r.failed).toHaveLength(20);
    expect(r.failed[0]).toMatchObject({ code: 'NotSent', reason: expect.stringMatching(/^not sent: cannot reach SQS/) });
    expect(r.stoppedBy).toMatch(/cannot reach SQS/);
    addsUp(r);
  });

  it('waits a moment after Ctrl-C for a send in flight, so what it stored is known sent', async () => {
    const stop = new AbortController();
    const r = await throughProxy([{ kind: 'hold', times: 1 }], async (clients, proxy) => {
      const run = produce(clients, { queue: 'po-graced', inputs: bodies(10, 'e'), signal: stop.signal });
      await proxy.held(); // stored by the queue; the answer is kept back
      stop.abort();
      proxy.release(); // within the grace
      return run;
    });
    expect(r).toMatchObject({ sent: 10, failed: [], unconfirmed: [] });
    expect((await aws.depth((await aws.queues.resolve('po-graced')).url)).visible).toBe(10);
  });

  it('reports messages the queue stored, but whose answer Ctrl-C cut off after the grace, as unconfirmed, not failed', async () => {
    const stop = new AbortController();
    const r = await throughProxy([{ kind: 'hold', times: 1 }], async (clients, proxy) => {
      const run = produce(clients, { queue: 'po-held', inputs: bodies(10, 'e'), signal: stop.signal });
      await proxy.held();
      stop.abort();
      await new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS + 500)); // the answer comes too late
      proxy.release();
      return run;
    });
    expect(r).toMatchObject({ sent: 0, failed: [] });
    expect(r.unconfirmed).toHaveLength(10);
    expect((await aws.depth((await aws.queues.resolve('po-held')).url)).visible).toBe(10);
  });
});

describe('produce: large payloads of sends that did not go', () => {
  const big = (n: number, tag: string) =>
    bodies(n, tag).map((b) => ({ ...b, body: JSON.stringify({ tag, pad: tag.repeat(1.5 * MiB) }) + b.source }));
  const withBucket = (bucket: string): Partial<ProduceOptions> => ({ largePayloadBucket: bucket, maxAttempts: 1 });

  it('deletes the S3 objects of messages the queue refused', async () => {
    const bucket = 'po-refused-payloads';
    await new ObjectStore(await aws.clients.s3()).createBucket(bucket);
    const error = { status: 400, type: 'InvalidParameterValue' };
    const r = await throughProxy([{ kind: 'awsError', error, times: 100 }], (clients) =>
      produce(clients, { queue: 'po-lp-400', inputs: big(3, 'r'), ...withBucket(bucket) }),
    );
    expect(r.failed).toHaveLength(3);
    expect(r.payloadsLeft).toEqual([]);
    expect(await keysIn(bucket)).toEqual([]);
  });

  it('keeps and lists the S3 objects of unconfirmed messages: they may be on the queue', async () => {
    const bucket = 'po-unconfirmed-payloads';
    await new ObjectStore(await aws.clients.s3()).createBucket(bucket);
    const r = await throughProxy([{ kind: 'status500', times: 100 }], (clients) =>
      produce(clients, { queue: 'po-lp-500', inputs: big(3, 'u'), ...withBucket(bucket) }),
    );
    expect(r.unconfirmed).toHaveLength(3);
    expect(r.payloadsLeft.map((p) => p.source).sort()).toEqual(['f:1', 'f:2', 'f:3']);
    expect(r.payloadsLeft[0]).toMatchObject({ bucket, reason: 'its message may be on the queue' });
    expect(await keysIn(bucket)).toEqual(r.payloadsLeft.map((p) => p.key).sort());
  });
});
