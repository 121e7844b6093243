import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { redriveDlq } from '../../src/features/move/redrive.js';
import { openMoveJournal } from '../../src/features/move/moveJournal.js';
import { forwardMessages } from '../../src/pipeline/forward.js';
import type { QueueRef } from '../../src/aws/queue.js';
import { createClients } from '../../src/aws/clients.js';
import { startMoveTaskEmulator } from '../helpers/moveTaskEmulator.js';
import { processSqs } from '../../src/features/process/runner.js';

let aws: TestAws;
let journalDir: string;
beforeAll(async () => {
  aws = await startTestAws();
  journalDir = mkdtempSync(join(tmpdir(), 'sqsops-journal-'));
});
afterAll(async () => {
  await aws.stop();
  rmSync(journalDir, { recursive: true, force: true });
});

/** A source queue whose redrive policy names its DLQ, as `setup` makes them. */
async function pair(name: string, fifo = false): Promise<{ source: QueueRef; dlq: QueueRef }> {
  const sfx = fifo ? '.fifo' : '';
  const fifoAttrs = fifo ? { FifoQueue: 'true' } : {};
  const dlqUrl = await aws.queues.create({ name: `${name}-dlq${sfx}`, attributes: fifoAttrs });
  const dlq = await aws.queues.describe(dlqUrl);
  const srcUrl = await aws.queues.create({
    name: `${name}${sfx}`,
    attributes: { ...fifoAttrs, RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }) },
  });
  return { source: await aws.queues.describe(srcUrl), dlq };
}

async function fill(
  dlq: QueueRef,
  bodies: string[],
  extra: (i: number) => { attributes?: Record<string, MessageAttributeValue>; groupId?: string } = () => ({}),
) {
  for (let i = 0; i < bodies.length; i += 10) {
    const out = await aws.queues.sendBatch(
      dlq.url,
      bodies
        .slice(i, i + 10)
        .map((body, j) => ({ id: String(j), body, ...(dlq.fifo ? { groupId: 'g', deduplicationId: `d${i + j}` } : {}), ...extra(i + j) })),
    );
    expect(out.failed).toEqual([]);
  }
}

const fast = { waitSeconds: 0 };

describe('redrive-dlq, manual move', () => {
  it('moves every message back to the source, body and attributes byte-identical, and says why it moved by hand', async () => {
    const { source, dlq } = await pair('rd-basic');
    const bodies = ['{"orderId":"a","total":1.50}', '  not json, with spaces  \n', 'ünïcødé ✓ € \t tab', '{"nested":{"x":[1,2,3]}}'];
    const bin = new Uint8Array([0, 1, 2, 250, 255]);
    await fill(dlq, bodies, (i) => ({
      attributes: {
        eventType: { DataType: 'String', StringValue: `E${i}` },
        n: { DataType: 'Number', StringValue: String(i * 1.5) },
        raw: { DataType: 'Binary', BinaryValue: bin },
      },
    }));
    const notes: string[] = [];
    const r = await redriveDlq(aws.clients, { from: dlq.name, ...fast, journalDir, notify: (m) => notes.push(m) });
    expect(r).toMatchObject({
      path: 'manual',
      destination: source.name,
      moved: 4,
      failed: [],
      filteredOut: 0,
      left: { visible: 0, inFlight: 0 },
    });
    expect(notes.join('\n')).toMatch(/move task is not available here \(InvalidAction/);
    const got = await aws.queues.receive(source.url, { max: 10, waitSeconds: 0 });
    expect(got.map((m) => m.Body).sort()).toEqual([...bodies].sort());
    for (const m of got) {
      const i = bodies.indexOf(m.Body!);
      expect(m.MessageAttributes?.eventType).toMatchObject({ DataType: 'String', StringValue: `E${i}` });
      expect(m.MessageAttributes?.n).toMatchObject({ DataType: 'Number', StringValue: String(i * 1.5) });
      expect(Buffer.from(m.MessageAttributes!.raw!.BinaryValue!)).toEqual(Buffer.from(bin));
    }
  });

  it('keeps FIFO group order and group ids, with the DLQ message id as the dedup id', async () => {
    const { source, dlq } = await pair('rd-order', true);
    const sent: { body: string; groupId: string }[] = [];
    for (let i = 0; i < 24; i++) sent.push({ body: JSON.stringify({ seq: i, group: `g${i % 3}` }), groupId: `g${i % 3}` });
    await fill(
      dlq,
      sent.map((s) => s.body),
      (i) => ({ groupId: sent[i]!.groupId }),
    );
    const r = await redriveDlq(aws.clients, { from: dlq.url, ...fast, journalDir });
    expect(r).toMatchObject({ moved: 24, failed: [], heldBack: 0 });
    const got: { body: string; groupId?: string; dedup?: string }[] = [];
    for (let empty = 0; empty < 2; ) {
      const batch = await aws.queues.receive(source.url, { max: 10, waitSeconds: 0, visibilityTimeout: 60 });
      if (batch.length === 0) empty++;
      for (const m of batch)
        got.push({ body: m.Body!, groupId: m.Attributes?.MessageGroupId, dedup: m.Attributes?.MessageDeduplicationId });
      await aws.queues.deleteBatch(
        source.url,
        batch.map((m, i) => ({ id: String(i), receiptHandle: m.ReceiptHandle! })),
      );
    }
    for (const g of ['g0', 'g1', 'g2']) {
      const mine = got.filter((m) => m.groupId === g).map((m) => (JSON.parse(m.body) as { seq: number }).seq);
      expect(mine).toEqual(sent.map((s, i) => (s.groupId === g ? i : -1)).filter((i) => i >= 0));
    }
    expect(new Set(got.map((m) => m.dedup)).size).toBe(24);
  });

  it('leaves messages that do not match the filter in the DLQ, visible', async () => {
    const { source, dlq } = await pair('rd-filter');
    const bodies = Array.from({ length: 15 }, (_, i) => JSON.stringify({ orderId: `o${i}`, currency: i % 3 === 0 ? 'EUR' : 'USD' }));
    await fill(dlq, bodies, (i) => ({
      attributes: { eventType: { DataType: 'String', StringValue: i % 2 ? 'OrderCreated' : 'OrderPaid' } },
    }));
    const r = await redriveDlq(aws.clients, {
      from: dlq.name,
      filter: ['body.currency=EUR', 'attr.eventType=OrderCreated'],
      ...fast,
      journalDir,
    });
    // EUR: 0,3,6,9,12; odd (OrderCreated): 3, 9.
    expect(r).toMatchObject({ moved: 2, filteredOut: 13, failed: [], left: { visible: 13, inFlight: 0 } });
    expect((await aws.drain(source.url)).map((m) => (JSON.parse(m.body) as { orderId: string }).orderId).sort()).toEqual(['o3', 'o9']);
    expect(await aws.depth(dlq.url)).toEqual({ visible: 13, inFlight: 0 });
  });

  it('moves at most --max, exactly, across concurrent lanes', async () => {
    const { source, dlq } = await pair('rd-max');
    await fill(
      dlq,
      Array.from({ length: 250 }, (_, i) => `m${i}`),
    );
    const r = await redriveDlq(aws.clients, { from: dlq.name, max: 95, concurrency: 8, ...fast, journalDir });
    expect(r.moved).toBe(95);
    expect(await aws.depth(source.url)).toEqual({ visible: 95, inFlight: 0 });
    expect(await aws.depth(dlq.url)).toEqual({ visible: 155, inFlight: 0 });
    const rest = await redriveDlq(aws.clients, { from: dlq.name, concurrency: 8, ...fast, journalDir });
    expect(rest.moved).toBe(155);
    const bodies = (await aws.drain(source.url)).map((m) => m.body);
    expect(bodies.sort()).toEqual(Array.from({ length: 250 }, (_, i) => `m${i}`).sort());
  });

  it('moves nothing on a dry run and leaves everything visible', async () => {
    const { source, dlq } = await pair('rd-dry');
    await fill(
      dlq,
      Array.from({ length: 12 }, (_, i) => JSON.stringify({ orderId: `o${i}` })),
    );
    const r = await redriveDlq(aws.clients, { from: dlq.name, dryRun: true, filter: ['body.orderId!=o5'], ...fast, journalDir });
    expect(r).toMatchObject({ dryRun: true, moved: 0, filteredOut: 1, left: { visible: 12, inFlight: 0 } });
    expect(r.wouldMove.map((m) => m.body).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => JSON.stringify({ orderId: `o${i}` }))
        .filter((b) => !b.includes('"o5"'))
        .sort(),
    );
    expect(await aws.depth(source.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('reports entries the destination refuses and leaves them in the DLQ', async () => {
    const { dlq } = await pair('rd-refused');
    const small = await aws.queues.describe(
      await aws.queues.create({ name: 'rd-refused-small', attributes: { MaximumMessageSize: '1024' } }),
    );
    await fill(dlq, ['ok-1', 'x'.repeat(2000), 'ok-2']);
    const r = await redriveDlq(aws.clients, { from: dlq.name, to: small.name, ...fast, journalDir });
    expect(r.moved).toBe(2);
    expect(r.failed).toEqual([expect.objectContaining({ stage: 'send', code: 'InvalidParameterValue' })]);
    expect(await aws.depth(dlq.url)).toEqual({ visible: 1, inFlight: 0 });
  });

  it('paces the move with --rate', async () => {
    const { dlq } = await pair('rd-rate');
    await fill(
      dlq,
      Array.from({ length: 12 }, (_, i) => `r${i}`),
    );
    const r = await redriveDlq(aws.clients, { from: dlq.name, rate: 5, ...fast, journalDir });
    expect(r.moved).toBe(12);
    // 12 messages at 5/s: the last batch may start only after 10 were moved, 2 s in.
    expect(r.durationMs).toBeGreaterThanOrEqual(1900);
  });
});

describe('a poison message through process-sqs, redrive-dlq and process-sqs again', () => {
  it('keeps its attributes, and carries the newest failure reason, not the first', async () => {
    const { source, dlq } = await pair('rd-again');
    await aws.queues.sendBatch(source.url, [
      { id: '0', body: 'plain text', attributes: { eventType: { DataType: 'String', StringValue: 'OrderCreated' } } },
    ]);
    await processSqs(aws.clients, { queue: source.name, ledgerTable: 'rd-ledger', key: 'orderId', drain: true, waitSeconds: 0 });
    const [first] = await aws.queues.receive(dlq.url, { max: 1, waitSeconds: 0, visibilityTimeout: 0 });
    const reason1 = first!.MessageAttributes?.['sqsops.error']?.StringValue;
    expect(reason1).toBeTruthy();
    await redriveDlq(aws.clients, { from: dlq.name, ...fast, journalDir });
    const [back] = await aws.queues.receive(source.url, { max: 1, waitSeconds: 0, visibilityTimeout: 0 });
    expect(back!.MessageAttributes).toMatchObject({ eventType: { StringValue: 'OrderCreated' }, 'sqsops.error': { StringValue: reason1 } });
    // Fails again, for another reason this time (a key that does not exist in a JSON body).
    await aws.queues.deleteBatch(source.url, [{ id: '0', receiptHandle: back!.ReceiptHandle! }]);
    await aws.queues.sendBatch(source.url, [{ id: '0', body: '{"total":1}', attributes: back!.MessageAttributes! }]);
    await processSqs(aws.clients, { queue: source.name, ledgerTable: 'rd-ledger', key: 'orderId', drain: true, waitSeconds: 0 });
    const [second] = await aws.queues.receive(dlq.url, { max: 1, waitSeconds: 0, visibilityTimeout: 0 });
    const reason2 = second!.MessageAttributes?.['sqsops.error']?.StringValue;
    expect(reason2).toBeTruthy();
    expect(reason2).not.toBe(reason1);
    expect(second!.MessageAttributes?.eventType?.StringValue).toBe('OrderCreated');
  });
});

describe('redrive-dlq after a crash between send and delete', () => {
  /** Leaves the state a kill -9 leaves: the messages sent on, still in the DLQ (in flight, then visible). */
  async function crashAfterSend(dlq: QueueRef, dest: QueueRef, record: boolean) {
    const got = await aws.queues.receive(dlq.url, { max: 10, waitSeconds: 0, visibilityTimeout: 1 });
    const out = await forwardMessages(aws.queues, dest, got);
    expect(out.sentIds).toHaveLength(got.length);
    if (record) {
      const journal = await openMoveJournal(journalDir, dlq.arn);
      await journal.record(out.sentIds, dest.name);
      journal.close();
    }
    await new Promise((r) => setTimeout(r, 1200));
    return got.length;
  }

  it('deletes what the journal says was sent, without sending it again (standard destination)', async () => {
    const { source, dlq } = await pair('rd-crash-std');
    await fill(
      dlq,
      Array.from({ length: 15 }, (_, i) => `c${i}`),
    );
    const inFlight = await crashAfterSend(dlq, source, true);
    const r = await redriveDlq(aws.clients, { from: dlq.name, ...fast, journalDir });
    expect(r).toMatchObject({ moved: 15 - inFlight, recovered: inFlight, failed: [] });
    const bodies = (await aws.drain(source.url)).map((m) => m.body);
    expect(bodies.sort()).toEqual(Array.from({ length: 15 }, (_, i) => `c${i}`).sort());
  });

  it('sends no duplicate to a FIFO destination even without the journal (dedup id)', async () => {
    const { source, dlq } = await pair('rd-crash-fifo', true);
    await fill(
      dlq,
      Array.from({ length: 6 }, (_, i) => `f${i}`),
      (i) => ({ groupId: `g${i % 3}` }),
    );
    expect(await crashAfterSend(dlq, source, false)).toBeGreaterThan(1);
    const r = await redriveDlq(aws.clients, { from: dlq.name, ...fast });
    expect(r.failed).toEqual([]);
    expect((await aws.drain(source.url)).map((m) => m.body).sort()).toEqual(Array.from({ length: 6 }, (_, i) => `f${i}`));
  });
});

describe('redrive-dlq picks a destination', () => {
  it('needs --to when the queue is not a DLQ, or the DLQ of several queues', async () => {
    const lone = await aws.queues.create({ name: 'rd-lone' });
    await expect(redriveDlq(aws.clients, { from: lone, ...fast })).rejects.toThrow(/rd-lone is not the DLQ of any queue/);
    const { dlq } = await pair('rd-two');
    await aws.queues.create({
      name: 'rd-two-b',
      attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }) },
    });
    await expect(redriveDlq(aws.clients, { from: dlq.name, ...fast })).rejects.toThrow(/is the DLQ of 2 queues \(rd-two, rd-two-b\)/);
    await expect(redriveDlq(aws.clients, { from: dlq.name, to: dlq.name, ...fast })).rejects.toThrow(/--to names the DLQ itself/);
  });

  it('stops at Ctrl-C and makes what it left behind visible again', async () => {
    const { source, dlq } = await pair('rd-abort');
    await fill(
      dlq,
      Array.from({ length: 30 }, (_, i) => JSON.stringify({ i })),
    );
    const controller = new AbortController();
    const r = await redriveDlq(aws.clients, {
      from: dlq.name,
      filter: ['body.i!=3'],
      rate: 10,
      ...fast,
      journalDir,
      signal: controller.signal,
      onProgress: (p) => p.moved >= 10 && controller.abort(),
    });
    expect(r.stoppedBy).toBe('interrupted');
    const moved = (await aws.depth(source.url)).visible;
    expect(moved).toBe(r.moved);
    expect(await aws.depth(dlq.url)).toEqual({ visible: 30 - moved, inFlight: 0 });
  });
});

describe('redrive-dlq, native move (SQS move tasks, added in front of fauxqs)', () => {
  it('moves everything back to the source with a move task, reporting progress', async () => {
    const emulator = await startMoveTaskEmulator(aws.local.endpoint, aws.local.credentials);
    const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: emulator.endpoint, credentials: aws.local.credentials });
    try {
      const { source, dlq } = await pair('rd-native');
      await fill(
        dlq,
        Array.from({ length: 20 }, (_, i) => `n${i}`),
      );
      const seen: number[] = [];
      const r = await redriveDlq(clients, { from: dlq.name, rate: 100, pollMs: 50, journalDir, onProgress: (p) => seen.push(p.moved) });
      expect(r).toMatchObject({
        path: 'native',
        destination: 'original sources',
        moved: 20,
        failed: [],
        notes: [],
        left: { visible: 0, inFlight: 0 },
      });
      expect(emulator.tasks[0]).toMatchObject({ Status: 'COMPLETED', MaxNumberOfMessagesPerSecond: 100 });
      expect(emulator.tasks[0]!.DestinationArn).toBeUndefined();
      expect(seen.at(-1)).toBe(20);
      expect((await aws.drain(source.url)).map((m) => m.body).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`).sort());
    } finally {
      clients.destroy();
      await emulator.close();
    }
  });

  it('cancels the move task at Ctrl-C; what moved stays moved, the rest stays in the DLQ', async () => {
    const emulator = await startMoveTaskEmulator(aws.local.endpoint, aws.local.credentials);
    const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: emulator.endpoint, credentials: aws.local.credentials });
    try {
      const { dlq } = await pair('rd-native-cancel');
      const other = await aws.queues.describe(await aws.queues.create({ name: 'rd-native-elsewhere' }));
      await fill(
        dlq,
        Array.from({ length: 40 }, (_, i) => `x${i}`),
      );
      const controller = new AbortController();
      const r = await redriveDlq(clients, {
        from: dlq.name,
        to: other.name,
        rate: 10,
        pollMs: 50,
        signal: controller.signal,
        onProgress: (p) => p.moved >= 10 && controller.abort(),
      });
      expect(r).toMatchObject({ path: 'native', destination: other.name, stoppedBy: 'interrupted' });
      expect(emulator.tasks[0]).toMatchObject({ Status: 'CANCELLED', DestinationArn: other.arn });
      const moved = (await aws.depth(other.url)).visible;
      expect(moved).toBe(r.moved);
      expect(moved).toBeLessThan(40);
      expect((await aws.depth(dlq.url)).visible).toBe(40 - moved);
    } finally {
      clients.destroy();
      await emulator.close();
    }
  });
});
