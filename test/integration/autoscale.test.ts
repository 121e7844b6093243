/**
 * process-sqs with autoscale against the real emulators: a backlog grows the pool from its
 * minimum (each change a note with its reason), an empty queue shrinks it back. Asserts on
 * the notes and the pollers the run reports, never on how fast it went.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { processSqs } from '../../src/features/process/runner.js';
import { writeEach, type Sink } from '../../src/pipeline/sink.js';
import type { RunState } from '../../src/features/process/observer.js';

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());

/** A sink that takes 20 ms a batch: one poller cannot clear the backlog in one interval. */
const slowSink: Sink = {
  name: 'slow',
  write: async (batch) => {
    await sleep(20);
    return writeEach(batch, () => undefined);
  },
  async close() {},
};

async function filledQueue(name: string, count: number): Promise<string> {
  const url = await aws.queues.create({ name, attributes: { VisibilityTimeout: '30' } });
  for (let i = 0; i < count; i += 10) {
    const entries = Array.from({ length: 10 }, (_, j) => ({ id: String(j), body: JSON.stringify({ n: i + j }) }));
    await aws.queues.sendBatch(url, entries);
  }
  return url;
}

describe('process-sqs --concurrency auto', () => {
  it('grows from its minimum on a backlog and shrinks back when the queue is empty', async () => {
    const url = await filledQueue('as-backlog', 2000);
    const notes: string[] = [];
    const stop = new AbortController();
    let state: RunState | undefined;
    const seen: number[] = [];
    const run = processSqs(aws.clients, {
      queue: url,
      ledgerTable: false,
      schema: { applied: 'none', validate: () => undefined },
      sinks: [slowSink],
      waitSeconds: 1,
      autoscale: { min: 1, max: 8, targetAgeSeconds: 30, intervalMs: 150, shrinkAfterMs: 600 },
      signal: stop.signal,
      notify: (m) => notes.push(m),
      observer: { started: (s) => (state = s) },
    });
    const changes = () => notes.filter((n) => n.startsWith('concurrency '));
    // The backlog is gone, then the pool comes back down to one poller.
    const grewAndShrank = () => Math.max(0, ...seen) > 1 && state?.pollers?.() === 1;
    for (let i = 0; i < 600 && !(grewAndShrank() && (await aws.depth(url)).visible === 0); i++) {
      if (state?.pollers) seen.push(state.pollers());
      await sleep(100);
    }
    stop.abort();
    const r = await run;
    expect(r.metrics.MessagesDeleted).toBe(2000);
    expect(r.metrics.MessagesReceived).toBe(2000);
    const lines = changes();
    expect(lines[0]).toMatch(/^concurrency 1 -> \d: receives full(, backlog [\d,]+)?, oldest \d+ s under the 30 s target$/);
    // Up by steps on full receives, each from where the last one left it, to the max.
    const ups = lines.filter((l) => / receives full/.test(l)).map((l) => /^concurrency (\d+) -> (\d+)/.exec(l)!.slice(1).map(Number));
    expect(ups[0]![0]).toBe(1);
    for (let i = 1; i < ups.length; i++) expect(ups[i]![0]).toBe(ups[i - 1]![1]);
    expect(ups.at(-1)![1]).toBe(8);
    expect(lines.some((l) => /^concurrency \d+ -> \d+: receives empty/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^concurrency \d -> 1: receives (empty|\d+% full)/);
    expect(Math.max(...seen)).toBe(8);
    expect(state?.pollers?.()).toBe(1);
  }, 90_000);
});
