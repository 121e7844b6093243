/**
 * One plug-in point (issue 16): --handler and --handlers load your code through one loader
 * into one runner, wired as the CLI and the Lambda wire it (resolveProcessConfig + buildPipeline),
 * against the real emulators. A handle() module is a task; a write(batch) module is a sink.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { ROOT } from '../helpers/cli.js';
import { produce } from '../../src/features/produce/produce.js';
import { setupTopology } from '../../src/pipeline/converge.js';
import { parseTopology } from '../../src/core/topology.js';
import { processSqs, runOptions, type ProcessSqsResult } from '../../src/features/process/runner.js';
import { resolveProcessConfig, type ProcessFlags } from '../../src/features/process/config.js';
import { loadTasks } from '../../src/features/tasks/modules.js';
import { openLedger } from '../../src/pipeline/resources.js';
import { outcomeIdentity } from '../../src/core/metrics.js';
import { UsageError } from '../../src/core/errors.js';

const fixture = (name: string) => join(ROOT, 'test/fixtures', name);
const LEDGER = 'plugins-ledger';
const g = globalThis as { pluginRuns?: string[]; flakyFails?: Map<string, number>; memorySink?: Map<string, unknown> };

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => aws.stop());
beforeEach(() => {
  g.pluginRuns = [];
  g.flakyFails = new Map();
  g.memorySink = new Map();
});

/** A queue with a DLQ after 5 receives, and one message per order id. */
async function queueWith(name: string, ids: string[]) {
  const { config } = parseTopology({ queues: [{ name, visibilityTimeout: 5, maxReceiveCount: 5 }] });
  await setupTopology(aws.clients, config!);
  await produce(aws.clients, { queue: name, inputs: ids.map((id, i) => ({ body: JSON.stringify({ orderId: id }), source: `#${i}` })) });
}

/** One process-sqs run with these flags, wired as the CLI wires it; the summary must add up. */
async function run(queue: string, flags: ProcessFlags): Promise<ProcessSqsResult> {
  const config = resolveProcessConfig({}, { queue, key: 'orderId', table: LEDGER, ...flags });
  const r = await processSqs(aws.clients, { ...runOptions(config), env: {}, drain: true, waitSeconds: 1 });
  expect(outcomeIdentity(r.metrics).holds, outcomeIdentity(r.metrics).line).toBe(true);
  return r;
}

/** Runs until `done` says so (a retried message comes back after its backoff); the counters summed. */
async function runUntil(queue: string, flags: ProcessFlags, done: (m: Record<string, number>) => boolean) {
  const sum: Record<string, number> = {};
  for (let i = 0; i < 10 && !done(sum); i++) {
    for (const [k, v] of Object.entries((await run(queue, flags)).metrics)) sum[k] = (sum[k] ?? 0) + v;
  }
  return sum;
}

const runsOf = (prefix: string) => (g.pluginRuns ?? []).filter((r) => r.startsWith(prefix));
const tasksDone = async (consumer: string, key: string) =>
  [...(((await (await openLedger(aws.clients, LEDGER)).get({ consumer, key })) as { tasksDone?: Set<string> })?.tasksDone ?? [])].sort();

describe('your code through --handler', () => {
  it('runs a handle() module as a task recorded in the ledger, and does not run it again on redelivery', async () => {
    await queueWith('pl-redeliver', ['R1']);
    const handler = [fixture('plugins/audit.mjs'), fixture('plugins/flaky.mjs')];
    const m = await runUntil('pl-redeliver', { handler }, (sum) => (sum.MessagesSaved ?? 0) > 0);
    // flaky failed its attempt and its in-process retry: the message was left for SQS (retryable) once.
    expect(m).toMatchObject({ MessagesReceived: 2, MessagesRetried: 1, MessagesSaved: 1, InvalidMessages: 0 });
    expect(runsOf('audit:')).toEqual(['audit:R1']); // once: the redelivery ran only what failed
    expect(runsOf('flaky:')).toHaveLength(3);
    expect(await tasksDone('pl-redeliver', 'R1')).toEqual(['audit', 'flaky']);
  });

  it('parks a message whose --handler task fails in the queue --rejects-queue names', async () => {
    await queueWith('pl-park', ['K1']);
    const r = await run('pl-park', { handler: [fixture('plugins/refuse.mjs'), fixture('plugins/audit.mjs')], rejectsQueue: true });
    expect(r.metrics).toMatchObject({ MessagesReceived: 1, MessagesToRejects: 1, MessagesSaved: 0, MessagesDeleted: 1 });
    const parked = await aws.drain((await aws.queues.resolve('pl-park-rejects')).url);
    expect(parked.map((p) => p.body)).toEqual([JSON.stringify({ orderId: 'K1' })]);
    expect(runsOf('refuse:')).toHaveLength(1); // retryable: false is not retried in-process
  });

  it('without a rejects queue, retries while any failing task may pass, then sends the message to the DLQ when all say retryable: false', async () => {
    await queueWith('pl-poison', ['P1']);
    const handler = [fixture('plugins/refuse.mjs'), fixture('plugins/flaky.mjs')];
    const m = await runUntil('pl-poison', { handler }, (sum) => (sum.MessagesToDLQ ?? 0) > 0);
    // First receive: flaky may pass later, so retried; second: only refuse fails, and it says never.
    expect(m).toMatchObject({ MessagesReceived: 2, MessagesRetried: 1, InvalidMessages: 1, MessagesToDLQ: 1, MessagesSaved: 0 });
    expect(runsOf('refuse:')).toHaveLength(2);
    const dead = await aws.drain((await aws.queues.resolve('pl-poison-dlq')).url);
    expect(dead.map((d) => d.body)).toEqual([JSON.stringify({ orderId: 'P1' })]);
    expect(await aws.depth((await aws.queues.resolve('pl-poison')).url)).toEqual({ visible: 0, inFlight: 0 });
    expect(await tasksDone('pl-poison', 'P1')).toEqual(['flaky']);
  });
});

describe('one set from both spellings', () => {
  it('mixes --handlers DIR and --handler files: tasks run and are recorded, a write(batch) module stores as a sink', async () => {
    await queueWith('pl-mixed', ['M1', 'M2']);
    const flags = { handlers: fixture('plugins-dir'), handler: [fixture('plugins/audit.mjs'), fixture('plugins/memorySink.mjs')] };
    const set = await loadTasks([flags.handlers, ...flags.handler]);
    expect(set.tasks.map((t) => t.name)).toEqual(['stamp', 'audit']);
    expect(set.sinks.map((s) => s.name)).toEqual(['memory']);
    const r = await run('pl-mixed', flags);
    expect(r.metrics).toMatchObject({ MessagesReceived: 2, MessagesSaved: 2, MessagesDeleted: 2 });
    expect([...(g.memorySink?.keys() ?? [])].sort()).toEqual(['M1', 'M2']);
    expect(runsOf('stamp:').sort()).toEqual(['stamp:M1', 'stamp:M2']);
    expect(await tasksDone('pl-mixed', 'M1')).toEqual(['audit', 'stamp']); // the sink is not a task
  });

  it('refuses two tasks of one name with one line naming both files', async () => {
    const err = await loadTasks([fixture('tasks-ok'), fixture('plugins/audit.mjs')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      `${fixture('tasks-ok/audit.mjs')} and ${fixture('plugins/audit.mjs')} both define the task "audit"`,
    );
  });

  it('loads a file named twice once, and says which shapes a module may export', async () => {
    const twice = await loadTasks([fixture('plugins/audit.mjs'), fixture('plugins/audit.mjs')]);
    expect(twice.tasks.map((t) => t.name)).toEqual(['audit']);
    const err = await loadTasks([fixture('plugins/empty.mjs')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^module .*plugins\/empty\.mjs exports no task and no sink$/);
    expect((err as UsageError).hint).toMatch(/defineTask.*handle\(message\).*write\(batch\)/);
  });
});
