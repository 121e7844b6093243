/**
 * runLoad against the real emulators: what it counts matches the state it leaves
 * (ledger rows, an empty queue), and the backlog scenario shows up in the samples.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { runLoad } from '../../src/features/load/load.js';
import type { LoadOptions } from '../../src/features/load/types.js';
import { parseRate } from '../../src/core/rateSchedule.js';
import { Ledger } from '../../src/aws/ledger.js';
import { setupTopology } from '../../src/pipeline/converge.js';
import { parseTopology } from '../../src/core/topology.js';
import type { Sink } from '../../src/pipeline/sink.js';
import { produce } from '../../src/features/produce/produce.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());

async function ledgerRows(table: string): Promise<number> {
  const ledger = new Ledger(await aws.clients.dynamodb(), table);
  let n = 0;
  for await (const page of ledger.scan()) n += page.filter((r) => r.status === 'COMPLETED').length;
  return n;
}

/** runLoad on `queue` at 40 messages a second, for the time and with the workers the test gives. */
function loadAt40(queue: string, options: Omit<LoadOptions, 'queue' | 'rate'>) {
  return runLoad(aws.clients, { queue, rate: parseRate('40'), ...options });
}

describe('load', () => {
  it('sends what the schedule asks, completes every message through the ledger, and loses none', async () => {
    const r = await loadAt40('ld-steady', {
      durationMs: 2000,
      workers: 2,
      intervalMs: 250,
      worker: { mode: 'in-process', options: async () => ({ ledgerTable: 'ld-ledger', concurrency: 2 }) },
    });
    expect(r.asked).toBe(80);
    expect(r.sent + r.sendFailed).toBe(r.asked);
    expect(r.completed).toBe(r.sent);
    expect(r.lost).toBe(0);
    expect(r.toDlq).toBe(0);
    expect(r.inDlq).toBe(0);
    expect(r.latency.count).toBe(r.completed);
    expect(r.latency.p50).toBeLessThanOrEqual(r.latency.p99);
    expect(r.latency.p99).toBeLessThanOrEqual(r.latency.max);
    // The histogram and the samples add up to the whole run.
    expect(r.histogram.reduce((n, [, c]) => n + c, 0)).toBe(r.completed);
    expect(r.samples.reduce((n, s) => n + s.latency.count, 0)).toBe(r.completed);
    // Where the time went: every processed message was received, claimed and deleted, each stage timed.
    for (const stage of ['queue', 'claim', 'delete'] as const) expect(r.stages?.[stage].count, stage).toBe(r.processed);
    expect(r.stages!.queue.p50).toBeLessThanOrEqual(r.stages!.queue.p99);
    expect(r.stages!.claim.p99).toBeLessThanOrEqual(r.latency.max);
    // A sample may be taken between a message's store and its delete: the samples hold at most all of them.
    const sampled = r.samples.reduce((n, s) => n + (s.stages?.delete.count ?? 0), 0);
    expect(sampled).toBeGreaterThan(0);
    expect(sampled).toBeLessThanOrEqual(r.processed);
    expect(r.samples.at(-1)).toMatchObject({ sent: r.sent, completed: r.completed });
    // State: one completed ledger row per message, and nothing left on the queue.
    expect(await ledgerRows('ld-ledger')).toBe(r.sent);
    expect(await aws.depth((await aws.queues.resolve('ld-steady')).url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('lets a backlog build while the workers are paused, then drains it after they resume', async () => {
    const r = await loadAt40('ld-pause', {
      durationMs: 2500,
      workers: 1,
      intervalMs: 200,
      pauseAtMs: 500,
      resumeAtMs: 1800,
      worker: { mode: 'in-process', options: async () => ({ ledgerTable: false, concurrency: 2 }) },
    });
    expect(r.lost).toBe(0);
    expect(r.completed).toBe(r.sent);
    const paused = r.samples.filter((s) => s.workersRunning === 0 && s.phase === 'send');
    expect(paused.length).toBeGreaterThan(0);
    // The pause as it happened, and every sample taken with no workers running is flagged.
    expect(r.pause!.fromMs).toBeGreaterThanOrEqual(495);
    expect(r.pause!.toMs).toBeGreaterThanOrEqual(1795);
    expect(paused.every((s) => s.paused)).toBe(true);
    expect(r.samples.at(-1)!.paused).toBe(false);
    // While nobody consumes, messages wait on the queue and the oldest one ages.
    expect(Math.max(...paused.map((s) => s.visible))).toBeGreaterThan(0);
    // A message sent just after the pause waited at least until the workers came back.
    expect(r.maxAgeMs).toBeGreaterThan(1800 - 500 - 300);
  });

  it('counts a message a worker moves to the DLQ as done, and finds it there', async () => {
    const { config } = parseTopology({ queues: [{ name: 'ld-dlq', maxReceiveCount: 2 }] });
    await setupTopology(aws.clients, config!);
    const r = await runLoad(aws.clients, {
      queue: 'ld-dlq',
      rate: parseRate('20'),
      durationMs: 1000,
      workers: 1,
      intervalMs: 250,
      // Every order is poison to this schema check: each goes to the DLQ, none is lost.
      worker: {
        mode: 'in-process',
        options: async () => ({
          ledgerTable: false,
          schema: { validate: () => 'not wanted here', applied: 'a check that refuses everything' },
        }),
      },
    });
    expect(r.sent).toBeGreaterThan(0);
    expect(r.toDlq).toBe(r.sent);
    expect(r.inDlq).toBe(r.sent);
    expect(r.lost).toBe(0);
  });

  it('refuses a queue that holds messages it did not send, before sending anything', async () => {
    await produce(aws.clients, { queue: 'ld-others', count: 5, seed: 1 });
    const run = runLoad(aws.clients, {
      queue: 'ld-others',
      rate: parseRate('20'),
      durationMs: 1000,
      worker: { mode: 'in-process', options: async () => ({ ledgerTable: false }) },
    });
    await expect(run).rejects.toThrow(/already holds 5 messages this run did not send: nothing sent; pass --shared-queue/);
    expect(await aws.depth((await aws.queues.resolve('ld-others')).url)).toEqual({ visible: 5, inFlight: 0 });
  });

  it('on a shared queue processes only its own, and releases the others untouched', async () => {
    await produce(aws.clients, { queue: 'ld-shared', count: 30, seed: 2 });
    const r = await runLoad(aws.clients, {
      queue: 'ld-shared',
      sharedQueue: true,
      rate: parseRate('20'),
      durationMs: 1500,
      workers: 2,
      worker: { mode: 'in-process', options: async () => ({ ledgerTable: 'ld-shared-ledger' }) },
      ledgerTable: 'ld-shared-ledger',
    });
    expect(r.processed).toBe(r.sent);
    expect(r.lost + r.leftOnQueue + r.inDlq).toBe(0);
    expect(r.foreignReleased).toBeGreaterThan(0);
    expect(r.foreignReleased).toBeLessThanOrEqual(30);
    // The 30 are still there (none moved to the DLQ by their receive counts), and the run's ledger records are gone.
    expect(await aws.depth((await aws.queues.resolve('ld-shared')).url)).toEqual({ visible: 30, inFlight: 0 });
    expect(await aws.depth((await aws.queues.resolve('ld-shared-dlq')).url)).toEqual({ visible: 0, inFlight: 0 });
    expect(await ledgerRows('ld-shared-ledger')).toBe(0);
  });

  it('runs on a queue of its own by default and removes it, with the ledger records it wrote', async () => {
    const r = await runLoad(aws.clients, {
      rate: parseRate('20'),
      durationMs: 1000,
      worker: { mode: 'in-process', options: async () => ({ ledgerTable: 'ld-own-ledger' }) },
      ledgerTable: 'ld-own-ledger',
    });
    expect(r.queue).toBe(`sqsops-load-${r.runId}`);
    expect(r).toMatchObject({ ownQueue: true, kept: false, lost: 0, leftOnQueue: 0, foreignReleased: 0 });
    expect(r.processed).toBe(r.sent);
    expect(await aws.queues.findUrl(r.queue)).toBeUndefined();
    expect(await aws.queues.findUrl(`${r.queue}-dlq`)).toBeUndefined();
    expect(await ledgerRows('ld-own-ledger')).toBe(0);
  });

  it('counts what is still on the queue at the end as left on the queue, not lost', async () => {
    // One slow poller (half a second a batch) behind 40 msg/s, and a drain that gives up at once: a backlog stays.
    const slow: Sink = {
      name: 'slow',
      write: async (batch) => {
        await sleep(500);
        return { succeeded: batch.map((m) => m.key), failed: [] };
      },
      close: async () => undefined,
    };
    const r = await runLoad(aws.clients, {
      keep: true,
      rate: parseRate('40'),
      durationMs: 1000,
      drainTimeoutMs: 1,
      workers: 1,
      worker: { mode: 'in-process', options: async () => ({ ledgerTable: false, concurrency: 1, sinks: [slow] }) },
    });
    expect(r.lost).toBe(0);
    expect(r.leftOnQueue).toBeGreaterThan(0);
    expect(r.processed + r.inDlq + r.leftOnQueue + r.lost).toBe(r.sent);
    const url = (await aws.queues.resolve(r.queue)).url;
    const d = await aws.depth(url);
    expect(d.visible + d.inFlight).toBe(r.leftOnQueue);
  });

  it('says when the sender, not the pipeline, was the limit', async () => {
    // One call in flight cannot carry 20,000 msg/s on any machine.
    const r = await runLoad(aws.clients, {
      queue: 'ld-limited',
      rate: parseRate('20000'),
      durationMs: 300,
      sendConcurrency: 1,
      workers: 1,
      worker: { mode: 'in-process', options: async () => ({ ledgerTable: false }) },
    });
    expect(r.senderLimited).toBe(true);
    expect(r.achievedRate).toBeLessThan(r.askedRate * 0.95);
    expect(r.sent).toBeLessThan(r.asked);
    expect(r.completed).toBe(r.sent);
    expect(r.lost).toBe(0);
  });
});
