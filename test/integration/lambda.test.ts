/**
 * The Lambda handler, invoked with SQS event records built from messages really
 * received from the emulator (the shape Lambda's event source mapping sends).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@aws-sdk/client-sqs';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { createHandler, type SqsEvent } from '../../src/lambda.js';
import { produce } from '../../src/features/produce/produce.js';
import { setupTopology } from '../../src/pipeline/converge.js';
import { parseTopology } from '../../src/core/topology.js';
import { showLedger } from '../../src/features/ledger/ledgerOps.js';
import { Ledger } from '../../src/aws/ledger.js';
import { outcomeIdentity } from '../../src/core/metrics.js';

let aws: TestAws;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  aws = await startTestAws();
  env = {
    AWS_ENDPOINT_URL: aws.local.endpoint,
    AWS_ACCESS_KEY_ID: aws.local.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.local.credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    SQSOPS_LEDGER_TABLE: 'lambda-ledger',
    SQSOPS_KEY: 'orderId',
    SQSOPS_LOG_FORMAT: 'off',
    SQSOPS_METRICS: 'none',
  };
  await new Ledger(await aws.clients.dynamodb(), 'lambda-ledger').create();
});
afterAll(async () => aws.stop());

function record(m: Message, queueName: string): SqsEvent['Records'][number] {
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body!,
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount,
      SentTimestamp: m.Attributes?.SentTimestamp,
      MessageGroupId: m.Attributes?.MessageGroupId,
    },
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, { stringValue: v.StringValue, dataType: v.DataType ?? 'String' }]),
    ),
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
  };
}

async function eventFor(queueName: string, bodies: string[], groupBy?: string): Promise<SqsEvent> {
  const { config } = parseTopology({
    queues: [{ name: queueName, ...(queueName.endsWith('.fifo') ? { contentBasedDeduplication: true } : {}) }],
  });
  await setupTopology(aws.clients, config!);
  await produce(aws.clients, {
    queue: queueName,
    inputs: bodies.map((body, i) => ({ body, source: `#${i}` })),
    ...(groupBy ? { groupBy } : {}),
  });
  const url = (await aws.queues.resolve(queueName)).url;
  const records: SqsEvent['Records'] = [];
  for (let i = 0; i < 5 && records.length < bodies.length; i++) {
    for (const m of await aws.queues.receive(url, { max: 10, waitSeconds: 0, visibilityTimeout: 60 })) records.push(record(m, queueName));
  }
  return { Records: records };
}

describe('the Lambda handler', () => {
  it('processes a batch, skips a duplicate key, and reports poison when no DLQ is configured', async () => {
    const handler = createHandler(env);
    const event = await eventFor('lambda-std', [
      JSON.stringify({ orderId: 'L1' }),
      JSON.stringify({ orderId: 'L1' }),
      'not json',
      JSON.stringify({ orderId: 'L2' }),
    ]);
    const poisonId = event.Records.find((r) => r.body === 'not json')!.messageId;
    const res = await handler(event);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: poisonId }]);
    const ledger = await showLedger(aws.clients, { ledgerTable: 'lambda-ledger' });
    expect(ledger.items.map((i) => i.id).sort()).toEqual(['lambda-std#L1', 'lambda-std#L2']);
    expect(ledger.counts).toEqual({ COMPLETED: 2 });
  });

  it('unwraps an SNS-wrapped record', async () => {
    const handler = createHandler(env);
    const wrapped = JSON.stringify({
      Type: 'Notification',
      MessageId: 'n',
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:t',
      Message: JSON.stringify({ orderId: 'SNS-1' }),
    });
    const res = await handler(await eventFor('lambda-sns', [wrapped]));
    expect(res.batchItemFailures).toEqual([]);
    expect((await new Ledger(await aws.clients.dynamodb(), 'lambda-ledger').get({ consumer: 'lambda-sns', key: 'SNS-1' }))?.status).toBe(
      'COMPLETED',
    );
  });

  it('sends poison to the configured DLQ body-unchanged and reports nothing', async () => {
    const { config } = parseTopology({ queues: [{ name: 'lambda-dead', dlq: false }] });
    await setupTopology(aws.clients, config!);
    const dlqUrl = (await aws.queues.resolve('lambda-dead')).url;
    const handler = createHandler({ ...env, SQSOPS_DLQ_URL: dlqUrl });
    const res = await handler(await eventFor('lambda-dlq', ['{"orderId": ', JSON.stringify({ orderId: 'D1' })]));
    expect(res.batchItemFailures).toEqual([]);
    expect((await aws.drain(dlqUrl)).map((m) => m.body)).toEqual(['{"orderId": ']);
  });

  it('on FIFO, reports the first failure and everything after it', async () => {
    const failing = `${process.cwd()}/test/fixtures/failOnOrder.mjs`;
    const handler = createHandler({ ...env, SQSOPS_HANDLERS: failing });
    // One group each: fauxqs hands out one in-flight message per group, and the rule is about the batch.
    const bodies = ['F1', 'F2', 'FAIL', 'F3'].map((id) => JSON.stringify({ orderId: id, group: id }));
    const event = await eventFor('lambda-order.fifo', bodies, 'group');
    const ids = event.Records.map((r) => (JSON.parse(r.body) as { orderId: string }).orderId);
    expect(ids).toHaveLength(4);
    const res = await handler(event);
    const failedAt = ids.indexOf('FAIL');
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(event.Records.slice(failedAt).map((r) => r.messageId));
    const ledger = new Ledger(await aws.clients.dynamodb(), 'lambda-ledger');
    for (const id of ids.slice(0, failedAt))
      expect((await ledger.get({ consumer: 'lambda-order.fifo', key: id }))?.status).toBe('COMPLETED');
    // Failed or never tried: nothing is COMPLETED for them (a failed claim is RELEASED, a skipped one absent).
    for (const id of ids.slice(failedAt))
      expect((await ledger.get({ consumer: 'lambda-order.fifo', key: id }))?.status).not.toBe('COMPLETED');
  });

  it('emits metrics whose outcomes add up to MessagesReceived, a live lease counted deferred', async () => {
    const lines: string[] = [];
    const handler = createHandler({ ...env, SQSOPS_METRICS: 'emf' }, (line) => lines.push(line));
    const ledger = new Ledger(await aws.clients.dynamodb(), 'lambda-ledger');
    const claim = { owner: 'another-container', leaseMs: 120_000, payloadHash: 'x', queue: 'lambda-sum', messageId: 'm' };
    await ledger.claim({ ...claim, receiveCount: 1, ttlSeconds: 600, consumer: 'lambda-sum', key: 'HELD-L' });
    const order = (orderId: string) => JSON.stringify({ orderId });
    const bodies = [order('S1'), order('S1'), 'not json', order('HELD-L')];
    const event = await eventFor('lambda-sum', bodies);
    const res = await handler(event);
    const emf = JSON.parse(lines.find((l) => l.includes('"_aws"'))!) as Record<string, number>;
    expect(emf).toMatchObject({ MessagesReceived: 4, MessagesSaved: 1, DuplicateMessages: 1, InvalidMessages: 1, MessagesDeferred: 1 });
    expect(outcomeIdentity(emf).holds).toBe(true);
    // Deferred and poison without a DLQ are reported: Lambda gives them back to the queue.
    expect(res.batchItemFailures).toHaveLength(2);
  });
});
