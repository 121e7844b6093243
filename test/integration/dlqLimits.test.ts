/**
 * Poison reaches its DLQ whatever its size: requests are cut at SQS's 1 MiB batch limit, and
 * the `sqsops.error` note is shortened or left out to keep each message within 1 MiB
 * (fauxqs enforces both limits as SQS does: BatchRequestTooLong, "Message must be shorter").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaEnv, startTestAws, type TestAws } from '../helpers/aws.js';
import { produce } from '../../src/features/produce/produce.js';
import { setupTopology } from '../../src/pipeline/converge.js';
import { parseTopology } from '../../src/core/topology.js';
import { processSqs } from '../../src/features/process/runner.js';
import { createHandler, type SqsEvent } from '../../src/lambda.js';
import { MAX_REQUEST_BYTES, TRUNCATED_MARKER } from '../../src/core/batching.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());

async function queueWithDlq(name: string) {
  const { config } = parseTopology({ queues: [{ name, visibilityTimeout: 30 }] });
  await setupTopology(aws.clients, config!);
  return { source: await aws.queues.resolve(name), dlq: await aws.queues.resolve(`${name}-dlq`) };
}
const send = (q: string, bodies: string[]) =>
  produce(aws.clients, { queue: q, inputs: bodies.map((body, i) => ({ body, source: `#${i}` })) });
/** Poison (not JSON) of an exact size, each one different. */
const poison = (bytes: number, i: number) => `${i}`.padEnd(bytes, 'p');

/** Everything in a queue, with its attributes. */
async function receiveAll(url: string) {
  const out: { body: string; error: string | undefined }[] = [];
  for (let empty = 0; empty < 2; ) {
    const batch = await aws.queues.receive(url, { max: 10, waitSeconds: 0, visibilityTimeout: 60 });
    if (batch.length === 0) empty++;
    for (const m of batch) out.push({ body: m.Body ?? '', error: m.MessageAttributes?.['sqsops.error']?.StringValue });
  }
  return out;
}

describe('poison over the batch limit', () => {
  it('process-sqs moves six 200 KB poison bodies to the DLQ in requests under 1 MiB', async () => {
    const { source, dlq } = await queueWithDlq('lim-six');
    const bodies = Array.from({ length: 6 }, (_, i) => poison(200_000, i));
    await send('lim-six', bodies);
    const r = await processSqs(aws.clients, { queue: 'lim-six', ledgerTable: false, key: 'orderId', drain: true, waitSeconds: 0 });
    expect(r.metrics.MessagesToDLQ).toBe(6);
    expect(r.metrics.SQSDLQSendError ?? 0).toBe(0);
    const dead = await receiveAll(dlq.url);
    expect(dead.map((d) => d.body).sort()).toEqual([...bodies].sort());
    expect(dead.every((d) => d.error !== undefined && d.error.length > 0)).toBe(true);
    expect(await aws.depth(source.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('a poison body of exactly 1,048,576 bytes reaches the DLQ, without the note that no longer fits', async () => {
    const { source, dlq } = await queueWithDlq('lim-full');
    const body = poison(MAX_REQUEST_BYTES, 0);
    await send('lim-full', [body]);
    const r = await processSqs(aws.clients, { queue: 'lim-full', ledgerTable: false, key: 'orderId', drain: true, waitSeconds: 0 });
    expect(r.metrics).toMatchObject({ MessagesToDLQ: 1, MessagesDeleted: 1 });
    const dead = await receiveAll(dlq.url);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.body).toBe(body);
    expect(dead[0]!.error).toBeUndefined();
    expect(await aws.depth(source.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('shortens the note with a marker when the body leaves only a little room', async () => {
    const { dlq } = await queueWithDlq('lim-near');
    // JSON without its key: the reason ("key field ... is missing ...") is ~45 bytes. The note's
    // name and type take 18 of the 40 bytes left, which leaves 22: a few characters and the marker.
    const json = '{"p":""}';
    const body = `{"p":"${'p'.repeat(MAX_REQUEST_BYTES - 40 - json.length)}"}`;
    await send('lim-near', [body]);
    const r = await processSqs(aws.clients, { queue: 'lim-near', ledgerTable: false, key: 'orderId', drain: true, waitSeconds: 0 });
    expect(r.metrics.MessagesToDLQ).toBe(1);
    const [dead] = await receiveAll(dlq.url);
    expect(dead!.body).toBe(body);
    expect(dead!.error).toBe(`key fie${TRUNCATED_MARKER}`); // 22 bytes: 7 of the reason, 15 of the marker
  });

  it('the Lambda handler moves six 200 KB poison bodies to its DLQ and reports none as failed', async () => {
    const { source, dlq } = await queueWithDlq('lim-lambda');
    const bodies = Array.from({ length: 6 }, (_, i) => poison(200_000, i));
    await send('lim-lambda', bodies);
    const records: SqsEvent['Records'] = [];
    for (let i = 0; i < 5 && records.length < 6; i++) {
      for (const m of await aws.queues.receive(source.url, { max: 10, waitSeconds: 0, visibilityTimeout: 60 })) {
        records.push({
          messageId: m.MessageId!,
          receiptHandle: m.ReceiptHandle!,
          body: m.Body!,
          attributes: { ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount },
          eventSourceARN: source.arn,
        });
      }
    }
    const env = {
      ...lambdaEnv(aws),
      SQSOPS_LOG_FORMAT: 'off',
      SQSOPS_METRICS: 'none',
      SQSOPS_DLQ_URL: dlq.url,
    };
    const res = await createHandler(env)({ Records: records });
    expect(records).toHaveLength(6);
    expect(res.batchItemFailures).toEqual([]);
    expect((await receiveAll(dlq.url)).map((d) => d.body).sort()).toEqual([...bodies].sort());
  });
});
