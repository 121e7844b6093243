/**
 * The Lambda's logs (JSON on stdout by default) and what it stores in the DLQ carry no
 * secret, for every shape of test/helpers/secretShapes; a failed cold start neither.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaEnv, startTestAws, type TestAws } from '../helpers/aws.js';
import { SECRET_SHAPES } from '../helpers/secretShapes.js';
import { produce } from '../../src/features/produce/produce.js';
import { setupTopology } from '../../src/pipeline/converge.js';
import { parseTopology } from '../../src/core/topology.js';
import { createHandler, type SqsEvent } from '../../src/lambda.js';

let aws: TestAws;
let lines: string[];
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());
afterEach(() => vi.restoreAllMocks());

/** What the handler writes with console.log, as Lambda would ship it to CloudWatch. */
function captureLogs() {
  lines = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
}

describe('the Lambda handler', () => {
  it('logs per-message errors in JSON and stores DLQ notes without any secret', async () => {
    const { config } = parseTopology({ queues: [{ name: 'lr-src', visibilityTimeout: 60 }] });
    await setupTopology(aws.clients, config!);
    const source = await aws.queues.resolve('lr-src');
    const dlq = await aws.queues.resolve('lr-src-dlq');
    const bodies = SECRET_SHAPES.map((s, i) => JSON.stringify({ orderId: `l${i}`, text: s.text }));
    await produce(aws.clients, { queue: 'lr-src', inputs: bodies.map((body, i) => ({ body, source: `#${i}` })) });
    const handlers = `${process.cwd()}/test/fixtures/throwText.mjs`;
    // lambdaEnv holds the secret the Lambda signs with: it must never appear in a log line either.
    const handler = createHandler({ ...lambdaEnv(aws), SQSOPS_HANDLERS: handlers, SQSOPS_DLQ_URL: dlq.url });
    captureLogs();
    let handled = 0;
    for (let i = 0; i < 10 && handled < bodies.length; i++) {
      const batch = await aws.queues.receive(source.url, { max: 10, waitSeconds: 0, visibilityTimeout: 60 });
      const event: SqsEvent = {
        Records: batch.map((m) => ({
          messageId: m.MessageId!,
          receiptHandle: m.ReceiptHandle!,
          body: m.Body!,
          attributes: {},
          eventSourceARN: source.arn,
        })),
      };
      expect((await handler(event)).batchItemFailures).toEqual([]);
      handled += batch.length;
    }
    expect(handled).toBe(bodies.length);
    const errors = lines.filter((l) => l.includes('cannot store'));
    expect(errors.length).toBe(bodies.length * 2); // the store error and the DLQ move, per message
    for (const l of errors) expect(() => JSON.parse(l)).not.toThrow();
    const notes: string[] = [];
    for (let empty = 0; empty < 2; ) {
      const batch = await aws.queues.receive(dlq.url, { max: 10, waitSeconds: 0, visibilityTimeout: 60 });
      if (batch.length === 0) empty++;
      for (const m of batch) notes.push(m.MessageAttributes?.['sqsops.error']?.StringValue ?? '');
    }
    expect(notes).toHaveLength(bodies.length);
    const output = [...lines, ...notes].join('\n');
    for (const s of SECRET_SHAPES) expect(output, s.name).not.toContain(s.secret);
  });

  it('fails a cold start with a bad connection string without echoing its password', async () => {
    for (const s of SECRET_SHAPES) {
      const handler = createHandler({ ...lambdaEnv(aws), SQSOPS_SINKS: 'mongodb', SQSOPS_MONGODB_URL: `x ${s.text}` });
      const eventSourceARN = 'arn:aws:sqs:us-east-1:000000000000:q';
      const record = { messageId: 'm', receiptHandle: 'r', body: '{}', attributes: {}, eventSourceARN };
      const event: SqsEvent = { Records: [record] };
      const e = (await handler(event).then(
        () => undefined,
        (err: unknown) => err,
      )) as Error;
      expect(e?.message).toMatch(/is not a MongoDB URL/);
      expect(`${e.message}\n${e.stack}`, s.name).not.toContain(s.secret);
    }
  });
});
