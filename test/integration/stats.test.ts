import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { startFaultProxy } from '../helpers/faultProxy.js';
import { createClients } from '../../src/aws/clients.js';
import { produce } from '../../src/features/produce/produce.js';
import { queueStats } from '../../src/features/stats/stats.js';
import { run as runStats } from '../../src/cli/commands/stats.js';
import { Output } from '../../src/cli/output.js';
import type { CommandContext } from '../../src/cli/context.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());

/** A command context over the test emulators that captures stdout. */
function context(signal: AbortSignal, json = false): { ctx: CommandContext; stdout: () => string } {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (d: Buffer) => (text += d.toString()));
  const out = new Output({ json, quiet: true, color: false, stdout: sink, stderr: new PassThrough() });
  const ctx = {
    out,
    globals: {},
    env: {},
    names: { queue: 'q', ledgerTable: 't', bucket: 'b' },
    signal,
    connect: async () => aws.clients,
    confirm: async () => {},
    onClose: () => {},
  };
  return { ctx: ctx as CommandContext, stdout: () => text };
}

describe('stats', () => {
  it('reports visible, in-flight, delayed and DLQ depths per queue, filtered by prefix', async () => {
    await produce(aws.clients, { queue: 'st-orders', count: 12 });
    await produce(aws.clients, { queue: 'other', count: 1 });
    const { url } = await aws.queues.resolve('st-orders');
    await aws.queues.receive(url, { max: 5, waitSeconds: 0, visibilityTimeout: 60 });
    await aws.queues.sendBatch(url, [{ id: '0', body: 'later', delaySeconds: 60 }]);
    const dlq = (await aws.queues.resolve('st-orders-dlq')).url;
    await aws.queues.sendBatch(dlq, [
      { id: '0', body: 'dead' },
      { id: '1', body: 'dead too' },
    ]);
    const rows = await queueStats(aws.clients, { prefix: 'st-' });
    expect(rows.map((r) => r.name).sort()).toEqual(['st-orders', 'st-orders-dlq']);
    expect(rows.find((r) => r.name === 'st-orders')).toMatchObject({
      visible: 7,
      inFlight: 5,
      delayed: 1,
      isDlq: false,
      dlq: { name: 'st-orders-dlq', visible: 2, inFlight: 0 },
    });
    // The local AWS answers CloudWatch too: just sent, so under a minute old.
    expect(rows.find((r) => r.name === 'st-orders')?.oldestMessageAgeSeconds).toBeLessThan(60);
    expect(rows.find((r) => r.name === 'st-orders-dlq')).toMatchObject({ isDlq: true, visible: 2 });
  });

  it('never disturbs a message: the counts stay, and nothing is received', async () => {
    await produce(aws.clients, { queue: 'st-quiet', count: 3 });
    await queueStats(aws.clients, { prefix: 'st-quiet' });
    const { url } = await aws.queues.resolve('st-quiet');
    expect(await aws.depth(url)).toEqual({ visible: 3, inFlight: 0 });
    const [m] = await aws.queues.receive(url, { max: 1, waitSeconds: 0, visibilityTimeout: 0 });
    expect(m?.Attributes?.ApproximateReceiveCount).toBe('1');
  });

  it('reads the depth of a DLQ outside the prefix, and says n/a for one that is gone', async () => {
    const dlqUrl = await aws.queues.create({ name: 'zz-elsewhere-dlq' });
    const dlq = await aws.queues.describe(dlqUrl);
    await aws.queues.sendBatch(dlqUrl, [{ id: '0', body: 'x' }]);
    await aws.queues.create({
      name: 'st2-src',
      attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }) },
    });
    await aws.queues.create({
      name: 'st2-orphan',
      attributes: {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn.replace('zz-elsewhere-dlq', 'st2-gone'), maxReceiveCount: 3 }),
      },
    });
    const rows = await queueStats(aws.clients, { prefix: 'st2-' });
    expect(rows.find((r) => r.name === 'st2-src')?.dlq).toEqual({ name: 'zz-elsewhere-dlq', visible: 1, inFlight: 0 });
    expect(rows.find((r) => r.name === 'st2-orphan')?.dlq).toEqual({ name: 'st2-gone', visible: null, inFlight: null });
  });

  it('prints one block per refresh with --watch when stdout is not a terminal, until Ctrl-C', async () => {
    const controller = new AbortController();
    const { ctx, stdout } = context(controller.signal);
    setTimeout(() => controller.abort(), 2500);
    await runStats({ watch: '1' }, ctx, ['st-orders']);
    const blocks = stdout().match(/^\d{4}-\d\d-\d\dT.*Z$/gm) ?? [];
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(stdout()).not.toMatch(/\x1b\[/);
    expect(stdout()).toMatch(/st-orders-dlq \(DLQ\)/);
    expect(stdout()).toMatch(/│ \d+ s/);
  });

  it('shows the backlog per worker and the oldest age against --target-age', async () => {
    await produce(aws.clients, { queue: 'st-target', count: 9 });
    await new Promise((r) => setTimeout(r, 2100));
    const { ctx, stdout } = context(new AbortController().signal);
    await runStats({ workers: '4', targetAge: '1' }, ctx, ['st-target']);
    expect(stdout()).toMatch(/per worker \(4\)/);
    expect(stdout()).toMatch(/oldest \(target 1 s\)/);
    // 9 waiting over 4 workers: 3 each (rounded up); sent 2 s ago, so over a 1 s target.
    expect(stdout()).toMatch(/st-target\s+│\s+9\s+│\s+0\s+│\s+0\s+│\s+3\s+│.*│\s+\d+ s OVER/);
    const json = context(new AbortController().signal, true);
    await runStats({ workers: '4', targetAge: '3600' }, json.ctx, ['st-target']);
    expect(JSON.parse(json.stdout())).toMatchObject({
      workers: 4,
      targetAgeSeconds: 3600,
      queues: expect.arrayContaining([expect.objectContaining({ name: 'st-target', backlogPerWorker: 3, oldestVsTarget: 'within' })]),
    });
  });

  it('refuses --interval without --watch, with one line', async () => {
    const { ctx } = context(new AbortController().signal);
    await expect(runStats({ interval: '2' }, ctx, [])).rejects.toThrow(/^--interval goes with --watch$/);
  });

  it('prints one JSON line per refresh', async () => {
    const { ctx, stdout } = context(new AbortController().signal, true);
    await runStats({}, ctx, ['st-orders']);
    const lines = stdout().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ prefix: 'st-orders', queues: [{ name: 'st-orders' }, { name: 'st-orders-dlq' }] });
  });

  it('still reports depths when CloudWatch cannot be asked, saying why once', async () => {
    await produce(aws.clients, { queue: 'st-cw', count: 4 });
    // A refusal (no permission) the local AWS would not give: from a proxy at the network edge.
    const proxy = await startFaultProxy(aws.local.endpoint);
    const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: proxy.endpoint, credentials: aws.local.credentials });
    try {
      proxy.addRule({
        target: 'GraniteServiceVersion20100801.GetMetricData',
        times: 1,
        kind: 'awsError',
        error: { status: 400, type: 'AccessDeniedException', message: 'not authorized to perform: cloudwatch:GetMetricData' },
      });
      const notes: string[] = [];
      const rows = await queueStats(clients, { prefix: 'st-cw', notify: (m) => notes.push(m) });
      expect(rows.find((r) => r.name === 'st-cw')).toMatchObject({ visible: 4, oldestMessageAgeSeconds: null });
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(/age of the oldest message is unknown: CloudWatch GetMetricData failed \(AccessDenied/);
      expect(proxy.injected['GraniteServiceVersion20100801.GetMetricData']).toBe(1);
    } finally {
      clients.destroy();
      await proxy.close();
    }
  });

  it('leaves CloudWatch alone when ages are not wanted', async () => {
    const rows = await queueStats(aws.clients, { prefix: 'st-cw', ages: false });
    expect(rows.find((r) => r.name === 'st-cw')?.oldestMessageAgeSeconds).toBeNull();
  });
});
