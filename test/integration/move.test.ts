import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { createClients } from '../../src/aws/clients.js';
import { SqsQueues } from '../../src/aws/queue.js';
import { moveMessages } from '../../src/features/move/move.js';
import { UsageError } from '../../src/core/errors.js';

let aws: TestAws;
let dir: string;
beforeAll(async () => {
  aws = await startTestAws();
  dir = mkdtempSync(join(tmpdir(), 'sqsops-move-'));
});
afterAll(async () => {
  await aws.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function queueWith(name: string, n: number, fifo = false): Promise<string> {
  const url = await aws.queues.create({ name, attributes: fifo ? { FifoQueue: 'true' } : {} });
  for (let i = 0; i < n; i += 10) {
    const entries = Array.from({ length: Math.min(10, n - i) }, (_, j) => ({
      id: String(j),
      body: JSON.stringify({ n: i + j, currency: (i + j) % 2 ? 'EUR' : 'USD' }),
      attributes: { kind: { DataType: 'String', StringValue: `k${(i + j) % 3}` } },
      ...(fifo ? { groupId: `g${(i + j) % 3}`, deduplicationId: `d${i + j}` } : {}),
    }));
    expect((await aws.queues.sendBatch(url, entries)).failed).toEqual([]);
  }
  return url;
}

const quick = { waitSeconds: 1, visibilityTimeout: 10 };

describe('move', () => {
  it('moves every message from one queue to another, deleting each from the source', async () => {
    const src = await queueWith('mv-a', 45);
    const dst = await aws.queues.create({ name: 'mv-b' });
    const r = await moveMessages(aws.clients, { from: 'mv-a', to: 'mv-b', journalDir: dir, ...quick });
    expect(r).toMatchObject({ moved: 45, failed: [], filteredOut: 0, copy: false, destinationKind: 'queue', to: 'mv-b' });
    expect(await aws.depth(src)).toEqual({ visible: 0, inFlight: 0 });
    const got = await aws.drain(dst);
    expect(got.map((m) => JSON.parse(m.body).n).sort((a, b) => a - b)).toEqual([...Array(45).keys()]);
  });

  it('copies: the destination gets every message, the source keeps them all, visible again', async () => {
    const src = await queueWith('cp-a', 23);
    const dst = await aws.queues.create({ name: 'cp-b' });
    const r = await moveMessages(aws.clients, { from: 'cp-a', to: 'cp-b', copy: true, ...quick });
    expect(r).toMatchObject({ moved: 23, copy: true, failed: [] });
    expect(await aws.depth(src)).toEqual({ visible: 23, inFlight: 0 });
    expect(await aws.depth(dst)).toEqual({ visible: 23, inFlight: 0 });
    const again = await aws.queues.receive(src, { max: 10, waitSeconds: 0, systemAttributes: ['ApproximateReceiveCount'] });
    expect(again.every((m) => m.Attributes?.ApproximateReceiveCount === '2')).toBe(true);
  });

  it('applies --filter and --max, and leaves the rest where it was', async () => {
    const src = await queueWith('flt-a', 30);
    const dst = await aws.queues.create({ name: 'flt-b' });
    const r = await moveMessages(aws.clients, {
      from: 'flt-a',
      to: 'flt-b',
      filter: ['body.currency=EUR'],
      max: 10,
      concurrency: 1,
      ...quick,
    });
    expect(r.moved).toBe(10);
    const got = await aws.drain(dst);
    expect(got).toHaveLength(10);
    expect(got.every((m) => JSON.parse(m.body).currency === 'EUR')).toBe(true);
    expect((await aws.depth(src)).visible).toBe(20);
  });

  it('exports to a file, deleting only what is on disk; a copy to a file deletes nothing', async () => {
    const src = await queueWith('exp-a', 12);
    const file = join(dir, 'exp.ndjson');
    const c = await moveMessages(aws.clients, { from: 'exp-a', to: file, copy: true, ...quick });
    expect(c).toMatchObject({ moved: 12, destinationKind: 'file' });
    expect((await aws.depth(src)).visible).toBe(12);
    const m = await moveMessages(aws.clients, { from: 'exp-a', to: file, journalDir: dir, ...quick });
    expect(m.moved).toBe(12);
    expect((await aws.depth(src)).visible).toBe(0);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(24);
    expect(lines[0]).toMatchObject({ format: 'sqsops.message/1', attributes: { kind: { DataType: 'String' } } });
  });

  it('keeps FIFO groups in order across a move', async () => {
    await queueWith('fifo-a.fifo', 30, true);
    const dst = await aws.queues.create({ name: 'fifo-b.fifo', attributes: { FifoQueue: 'true' } });
    const r = await moveMessages(aws.clients, { from: 'fifo-a.fifo', to: 'fifo-b.fifo', ...quick });
    expect(r.moved).toBe(30);
    const got = await aws.drain(dst);
    for (const g of ['g0', 'g1', 'g2']) {
      const ns = got.filter((m) => m.groupId === g).map((m) => JSON.parse(m.body).n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
      expect(ns).toHaveLength(10);
    }
  });

  it("sends to a queue URL in another region, to that region's queue and not the same name here", async () => {
    await queueWith('geo-a', 7);
    const here = await aws.queues.create({ name: 'geo-b' });
    const eu = createClients({ kind: 'local', region: 'eu-west-1', endpoint: aws.local.endpoint, credentials: aws.local.credentials });
    try {
      const euQueues = new SqsQueues(await eu.sqs());
      const euUrl = await euQueues.create({ name: 'geo-b' });
      expect(euUrl).toContain('eu-west-1');
      const r = await moveMessages(aws.clients, { from: 'geo-a', to: euUrl, ...quick });
      expect(r.moved).toBe(7);
      expect(await aws.depth(here)).toEqual({ visible: 0, inFlight: 0 });
      const a = await euQueues.attributes(euUrl, ['ApproximateNumberOfMessages']);
      expect(Number(a.ApproximateNumberOfMessages)).toBe(7);
    } finally {
      eu.destroy();
    }
  });

  it('refuses the source as its own destination, and --to-profile on the local AWS', async () => {
    await queueWith('self-a', 1);
    await expect(moveMessages(aws.clients, { from: 'self-a', to: 'self-a', ...quick })).rejects.toThrow(
      /--to names the source queue itself/,
    );
    await expect(moveMessages(aws.clients, { from: 'self-a', to: 'self-b', toProfile: 'dr', ...quick })).rejects.toBeInstanceOf(UsageError);
  });
});
