/**
 * One trace per order across processes, read back from a real Jaeger: `produce --topic`
 * (the built CLI) sends through SNS to two queues; `process-sqs` (the built CLI) drains
 * fanA and the Lambda handler (in this process) takes fanB's messages as an SQS event.
 * Where the Jaeger binary is missing the test says it skipped; SQSOPS_REQUIRE_JAEGER=1
 * (set by .ci/run) makes that a failure.
 */
import { GetQueueUrlCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { newHome, ROOT, startedLocalSqs, type CliHome } from '../helpers/cli.js';
import { jaegerBinary, startJaeger, waterfall, type Jaeger, type JaegerSpan, type JaegerTrace } from '../helpers/jaeger.js';
import type { SqsEvent } from '../../src/lambda.js';

const binary = jaegerBinary();
if (!binary && process.env.SQSOPS_REQUIRE_JAEGER === '1') {
  throw new Error("SQSOPS_REQUIRE_JAEGER=1 but no jaeger binary in GOPATH/bin or SQSOPS_JAEGER_BIN: run .ci/run's tracing step");
}
const skip = binary ? undefined : 'no Jaeger: build it into GOPATH/bin as .ci/run does, or set SQSOPS_JAEGER_BIN';
if (skip) console.log(`skipped: tracing across processes (${skip})`);

const ORDERS = 3;
const tag = (s: JaegerSpan, key: string) => s.tags.find((t) => t.key === key)?.value;

describe('tracing off', () => {
  const probe = `--import ${join(ROOT, 'test/fixtures/otelProbe.mjs')}`;
  let cli: CliHome;
  beforeAll(() => {
    cli = newHome();
  });
  afterAll(async () => cli.cleanup());

  it('loads no OpenTelemetry package unless it is on', async () => {
    const off = await cli.run(['produce', '--count', '2'], { env: { NODE_OPTIONS: probe } });
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).not.toContain('otel-probe');
    const processed = await cli.run(['process-sqs', '--drain', '--wait', '1'], { env: { NODE_OPTIONS: probe } });
    expect(processed.code, processed.stderr).toBe(0);
    expect(processed.stderr).not.toContain('otel-probe');
    // The probe sees them when tracing is on (nothing listens there: the spans are lost, the run is not).
    const on = await cli.run(['produce', '--count', '2', '--trace'], {
      env: { NODE_OPTIONS: probe, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' },
    });
    expect(on.code, on.stderr).toBe(0);
    expect(on.stderr).toContain('otel-probe: @opentelemetry/sdk-node');
  }, 60_000);
});

describe.skipIf(!binary)('tracing across produce -> SNS -> SQS -> process-sqs and the Lambda', () => {
  let jaeger: Jaeger;
  let cli: CliHome;
  let sqs: SQSClient;
  let local: Record<string, string>;
  beforeAll(async () => {
    jaeger = await startJaeger(binary!);
    cli = newHome();
    sqs = await startedLocalSqs(cli);
    local = JSON.parse((await cli.run(['local', 'env', '--json'])).stdout) as Record<string, string>;
  }, 120_000);
  afterAll(async () => {
    for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME', 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT']) delete process.env[name];
    sqs?.destroy();
    await cli?.cleanup();
    await jaeger?.stop();
  });

  const otel = (service: string) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_SERVICE_NAME: service });

  /** fanB's messages as Lambda's event source mapping hands them over. */
  async function fanBEvent(): Promise<SqsEvent> {
    const { QueueUrl: url } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'fanB' }));
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 2,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return {
      Records: (out.Messages ?? []).map((m) => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body!,
        attributes: { ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount, SentTimestamp: m.Attributes?.SentTimestamp },
        messageAttributes: Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, { stringValue: v.StringValue, dataType: v.DataType ?? 'String' }]),
        ),
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:fanB',
      })),
    };
  }

  /** The produce service's traces, once each holds the spans of all three services (export is asynchronous). */
  async function completeTraces(): Promise<JaegerTrace[]> {
    let traces: JaegerTrace[] = [];
    for (let i = 0; i < 100; i++) {
      traces = await jaeger.traces('sqsops-produce');
      const whole = traces.filter((t) => new Set(Object.values(t.processes).map((p) => p.serviceName)).size === 3);
      if (whole.length >= ORDERS) return traces;
      await new Promise((r) => setTimeout(r, 200));
    }
    return traces;
  }

  it('shows one trace per order with the spans of both consumers and their outcomes', async () => {
    const setup = await cli.run(['setup', '--queue', 'fanA', 'fanB', '--topic', 'orders-topic']);
    expect(setup.code, setup.stderr).toBe(0);
    const produced = await cli.run(['produce', '--topic', 'orders-topic', '--count', String(ORDERS), '--seed', '7'], {
      env: otel('sqsops-produce'),
    });
    expect(produced.code, produced.stderr).toBe(0);
    const processed = await cli.run(['--json', 'process-sqs', '--queue', 'fanA', '--drain', '--wait', '1'], { env: otel('sqsops-fanA') });
    expect(processed.code, processed.stderr).toBe(0);

    // The Lambda's SDK reads the process environment, as in a function's configuration.
    Object.assign(process.env, otel('sqsops-lambda'));
    const { createHandler } = await import('../../src/lambda.js');
    const handler = createHandler(
      {
        AWS_ENDPOINT_URL: local.AWS_ENDPOINT_URL,
        AWS_ACCESS_KEY_ID: local.AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: local.AWS_SECRET_ACCESS_KEY,
        AWS_REGION: 'us-east-1',
        SQSOPS_LOG_FORMAT: 'off',
        SQSOPS_METRICS: 'none',
        ...otel('sqsops-lambda'),
      },
      () => undefined,
    );
    const event = await fanBEvent();
    expect(event.Records).toHaveLength(ORDERS);
    expect(await handler(event)).toEqual({ batchItemFailures: [] });

    const traces = (await completeTraces()).filter((t) => t.spans.some((s) => s.operationName === 'send orders-topic'));
    expect(traces).toHaveLength(ORDERS);
    for (const t of traces) {
      const names = t.spans.map((s) => `${t.processes[s.processID]!.serviceName}: ${s.operationName}`).sort();
      expect(names).toEqual(
        [
          'sqsops-produce: send orders-topic',
          'sqsops-fanA: process fanA',
          'sqsops-fanA: receive',
          'sqsops-fanA: claim',
          'sqsops-fanA: complete',
          'sqsops-fanA: delete',
          'sqsops-lambda: process fanB',
          'sqsops-lambda: claim',
          'sqsops-lambda: complete',
        ].sort(),
      );
      const send = t.spans.find((s) => s.operationName === 'send orders-topic')!;
      for (const queue of ['fanA', 'fanB']) {
        const consumer = t.spans.find((s) => s.operationName === `process ${queue}`)!;
        // Each consumer continues the producer's span, across the SNS envelope and two processes.
        expect(consumer.references).toContainEqual(expect.objectContaining({ refType: 'CHILD_OF', spanID: send.spanID }));
        expect(tag(consumer, 'sqsops.outcome')).toBe('saved');
        expect(String(tag(consumer, 'sqsops.counters'))).toContain('MessagesSaved');
        const stages = t.spans.filter((s) => s.references.some((r) => r.spanID === consumer.spanID));
        expect(stages.length).toBeGreaterThan(0);
      }
      const del = t.spans.find((s) => s.operationName === 'delete')!;
      expect(tag(del, 'sqsops.counter')).toBe('MessagesDeleted');
    }
    console.log(`a trace as Jaeger returned it:\n${waterfall(traces[0]!)}`);
  }, 180_000);
});
