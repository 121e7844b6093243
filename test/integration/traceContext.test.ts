/**
 * The trace context's trip: produce puts it in message attributes, SNS fans it out (raw
 * delivery as attributes, envelope delivery inside the body), process-sqs reads it from
 * either, and move, the DLQ and export/import carry it as they carry any attribute.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { setupTopology } from '../../src/pipeline/converge.js';
import { parseTopology } from '../../src/core/topology.js';
import { produce } from '../../src/features/produce/produce.js';
import { processSqs } from '../../src/features/process/runner.js';
import { moveMessages } from '../../src/features/move/move.js';
import { toRecord, parseRecords } from '../../src/core/messageRecord.js';
import { NO_TRACING, traceCarrier, type SettledMessage, type Tracing } from '../../src/core/tracing.js';
import { spySink } from '../helpers/spySink.js';

let aws: TestAws;
let dir: string;
beforeAll(async () => {
  aws = await startTestAws();
  dir = mkdtempSync(join(tmpdir(), 'sqsops-trace-'));
});
afterAll(async () => {
  await aws.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The port as produce sees it, handing out one known context per message. */
function recordingTracing(): Tracing & { ended: (string | undefined)[] } {
  const ended: (string | undefined)[] = [];
  let n = 0;
  return {
    ...NO_TRACING,
    on: true,
    ended,
    produce: () => {
      const id = String(++n).padStart(16, '0');
      return { carrier: { traceparent: `00-${'ab'.repeat(16)}-${id}-01`, tracestate: 'sqsops=1' }, end: (e) => ended.push(e) };
    },
  };
}

describe('the trace context', () => {
  it('travels produce -> SNS -> SQS, raw and enveloped, into process-sqs', async () => {
    const { config } = parseTopology({
      queues: ['tc-raw', 'tc-env'],
      topics: [{ name: 'tc-topic', subscriptions: [{ queue: 'tc-raw', rawDelivery: true }, { queue: 'tc-env' }] }],
    });
    await setupTopology(aws.clients, config!);
    const tracing = recordingTracing();
    const sent = await produce(aws.clients, { queue: 'tc-raw', topic: 'tc-topic', count: 3, seed: 1, tracing });
    expect(sent.sent).toBe(3);
    expect(tracing.ended).toEqual([undefined, undefined, undefined]);

    for (const queue of ['tc-raw', 'tc-env']) {
      const settled: SettledMessage[] = [];
      const r = await processSqs(aws.clients, {
        queue,
        ledgerTable: false,
        drain: true,
        waitSeconds: 1,
        stages: { settled: (ms) => settled.push(...ms) },
      });
      expect(r.metrics.MessagesSaved).toBe(3);
      const parents = settled.map((s) => traceCarrier(s).traceparent).sort();
      expect(parents).toEqual([1, 2, 3].map((i) => `00-${'ab'.repeat(16)}-${String(i).padStart(16, '0')}-01`));
      const stages = settled[0]!.marks.map((m) => m.stage);
      expect(stages).toEqual(['receive', 'delete']);
      expect(settled[0]!.counters).toEqual(['MessagesReceived', 'MessagesSaved', 'MessagesDeleted']);
    }
  });

  it('times each stage with the counter it added, a failing sink included', async () => {
    const { config } = parseTopology({ queues: ['tc-stages'], ledgerTable: 'tc-ledger' });
    await setupTopology(aws.clients, config!);
    await produce(aws.clients, { queue: 'tc-stages', count: 2, seed: 3 });
    const settled: SettledMessage[] = [];
    const failing = spySink('bad', () => {
      throw new Error('store down');
    });
    const r = await processSqs(aws.clients, {
      queue: 'tc-stages',
      ledgerTable: 'tc-ledger',
      count: 2,
      waitSeconds: 1,
      sinks: [spySink('good', () => undefined), failing],
      stages: { settled: (ms) => settled.push(...ms) },
    });
    expect(r.metrics.MessagesRetried).toBe(2);
    expect(settled).toHaveLength(2);
    for (const s of settled) {
      expect(s.outcome).toBe('retry');
      expect(s.marks.map((m) => m.stage)).toEqual(expect.arrayContaining(['receive', 'claim', 'sink good', 'sink bad']));
      expect(s.marks.find((m) => m.stage === 'sink bad')).toMatchObject({ counter: 'SinkError.bad', error: 'store down' });
      expect(s.marks.find((m) => m.stage === 'sink good')?.error).toBeUndefined();
      expect(s.counters).toEqual(['MessagesReceived', 'MessagesRetried', 'SinkError.bad']);
      for (const m of s.marks) expect(m.end).toBeGreaterThanOrEqual(m.start);
    }
  });

  it('is kept by the DLQ, move and export/import', async () => {
    const { config } = parseTopology({ queues: [{ name: 'tc-src', dlq: { name: 'tc-src-dlq', maxReceiveCount: 3 } }, 'tc-dst'] });
    await setupTopology(aws.clients, config!);
    const traceparent = `00-${'cd'.repeat(16)}-${'12'.repeat(8)}-01`;
    const attributes = { traceparent: { DataType: 'String', StringValue: traceparent } };
    // An imported message already carrying a context, sent with tracing off: kept as it is.
    await produce(aws.clients, { queue: 'tc-src', inputs: [{ body: 'not json', source: '#1', attributes }] });
    const r = await processSqs(aws.clients, { queue: 'tc-src', ledgerTable: false, drain: true, waitSeconds: 1 });
    expect(r.metrics.MessagesToDLQ).toBe(1);
    const moved = await moveMessages(aws.clients, {
      from: 'tc-src-dlq',
      to: 'tc-dst',
      journalDir: dir,
      waitSeconds: 1,
      visibilityTimeout: 10,
    });
    expect(moved.moved).toBe(1);
    const url = (await aws.queues.resolve('tc-dst')).url;
    const [m] = await aws.queues.receive(url, { max: 1, waitSeconds: 1 });
    expect(m?.MessageAttributes?.traceparent?.StringValue).toBe(traceparent);
    const line = JSON.stringify(toRecord({ messageId: m!.MessageId!, body: m!.Body!, attributes: m!.MessageAttributes }));
    const [imported] = parseRecords(line, 'export.ndjson')!;
    expect(imported!.attributes?.traceparent?.StringValue).toBe(traceparent);
  });
});
