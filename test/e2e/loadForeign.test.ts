/**
 * `sqsops load` never touches messages it did not send: by default it runs on a queue of
 * its own and removes it (also after SIGTERM), a --queue that holds others' messages is
 * refused before anything is sent, and with --shared-queue the others are all still there
 * afterwards, bodies unchanged, none in the ledger. What is still on the queue at the end
 * is "left on the queue", not "lost". The built CLI as a process, on its local AWS.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHome, type LocalStatusJson, newHome } from '../helpers/cli.js';

let cli: CliHome;
beforeAll(() => {
  cli = newHome();
});
afterAll(async () => cli.cleanup());

interface Peeked {
  messages: { messageId: string; body: string }[];
}
interface Result {
  type: 'result';
  runId: string;
  queue: string;
  sent: number;
  processed: number;
  inDlq: number;
  leftOnQueue: number;
  lost: number;
  foreignReleased: number;
}
const result = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Result;
const adds = (r: Result) => r.processed + r.inDlq + r.leftOnQueue + r.lost;

async function queueNames(): Promise<Map<string, number>> {
  const s = JSON.parse((await cli.run(['--json', 'local', 'status'])).stdout) as LocalStatusJson;
  return new Map(s.queues.map((q) => [q.name, q.visible + q.inFlight]));
}

/** The bodies on a queue by message id (peek: nothing taken). */
async function bodies(queue: string, n: number): Promise<Map<string, string>> {
  const r = await cli.run(['--json', 'consume', '--queue', queue, '--peek', '-n', String(n), '--wait', '1']);
  expect(r.code, r.stderr).toBe(0);
  return new Map((JSON.parse(r.stdout) as Peeked).messages.map((m) => [m.messageId, m.body]));
}

/** Every ledger record's key and message id. */
async function ledgerKeys(): Promise<string[]> {
  const r = await cli.run(['--json', 'show', '--limit', '1000']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { items: { id: string; messageId?: string }[] }).items.flatMap((i) => [i.id, i.messageId ?? '']);
}

describe('sqsops load beside messages it did not send', () => {
  it('refuses a --queue that holds messages, names the count and --shared-queue, sends nothing', async () => {
    expect((await cli.run(['produce', '--queue', 'e2e-foreign', '-n', '12', '--seed', '3'])).code).toBe(0);
    const before = await bodies('e2e-foreign', 12);
    const r = await cli.run(['load', '--queue', 'e2e-foreign', '--rate', '20', '--duration', '2s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: queue e2e-foreign already holds 12 messages this run did not send: nothing sent; pass --shared-queue/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(await bodies('e2e-foreign', 12)).toEqual(before);
  });

  it.each([
    ['e2e-shared-a', [] as string[]],
    ['e2e-shared-b', ['--workers-as-processes']],
  ])(
    'with --shared-queue on %s %j it processes only its own; the others stay, bodies unchanged, none in the ledger',
    async (queue, extra) => {
      // The same seed sends the same bodies: the reference queue is read, the loaded one only once, after the run
      // (every receive counts toward maxReceiveCount, a test's peeks included).
      expect((await cli.run(['produce', '--queue', `${queue}-ref`, '-n', '12', '--seed', '5'])).code).toBe(0);
      expect((await cli.run(['produce', '--queue', queue, '-n', '12', '--seed', '5'])).code).toBe(0);
      const expected = [...(await bodies(`${queue}-ref`, 12)).values()].sort();
      const run = ['--json', 'load', '--queue', queue, '--shared-queue', '--rate', '20', '--duration', '2s', ...extra];
      const r = await cli.run(run);
      expect(r.code, r.stderr).toBe(0);
      const res = result(r.stdout);
      expect(res.processed).toBe(res.sent);
      expect(adds(res)).toBe(res.sent);
      expect(res.foreignReleased).toBeGreaterThan(0);
      expect(res.foreignReleased).toBeLessThanOrEqual(12);
      const after = await bodies(queue, 12);
      expect([...after.values()].sort()).toEqual(expected);
      expect((await queueNames()).get(`${queue}-dlq`)).toBe(0);
      // The run's own records were removed; the others were never recorded.
      const keys = await ledgerKeys();
      expect(keys.filter((k) => after.has(k) || k.includes(res.runId))).toEqual([]);
    },
  );

  it('makes a queue of its own, names it first on stderr, removes it; --keep keeps it', async () => {
    const r = await cli.run(['--json', 'load', '--rate', '20', '--duration', '1s']);
    expect(r.code, r.stderr).toBe(0);
    const res = result(r.stdout);
    expect(r.stderr.split('\n')[0]).toBe(
      `load run ${res.runId} on sqsops-load-${res.runId}, a queue of its own (and sqsops-load-${res.runId}-dlq), removed at the end`,
    );
    expect(res).toMatchObject({ queue: `sqsops-load-${res.runId}`, lost: 0, leftOnQueue: 0, foreignReleased: 0 });
    const names = await queueNames();
    expect([...names.keys()].filter((n) => n.startsWith('sqsops-load-'))).toEqual([]);

    const kept = result((await cli.run(['--json', 'load', '--rate', '20', '--duration', '1s', '--keep'])).stdout);
    expect((await queueNames()).has(kept.queue)).toBe(true);
    expect((await queueNames()).has(`${kept.queue}-dlq`)).toBe(true);
    // Kept, its ledger records are there too, each key marked with the run id.
    const marked = (await ledgerKeys()).filter((k) => k.endsWith(`#sqsops-load-${kept.runId}`));
    expect(marked.length).toBe(kept.sent);
  });

  it('removes its own queue after SIGTERM', async () => {
    const child = cli.spawn(['load', '--rate', '20', '--duration', '60s']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    // Wait until it is sending (the first line names the queue), then stop it.
    for (let i = 0; i < 200 && !/load run (\w+)/.test(stderr); i++) await new Promise((r) => setTimeout(r, 50));
    const queue = `sqsops-load-${/load run (\w+)/.exec(stderr)![1]}`;
    for (let i = 0; i < 200 && !(await queueNames()).has(queue); i++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    await once(child, 'close');
    expect(stderr).toContain(`removed ${queue} and ${queue}-dlq`);
    expect((await queueNames()).has(queue)).toBe(false);
  });

  it('counts what is still on the queue at the end as left on the queue, not lost (exit 1)', async () => {
    // The workers pause before the end and come back only for an instant: most of what was sent stays.
    const pause = ['--pause-workers-at', '100ms', '--resume-at', '3s', '--drain-timeout', '1ms'];
    const run = ['--json', 'load', '--rate', '40', '--duration', '1s', '--workers', '1', '-c', '1', '--keep', ...pause];
    const r = await cli.run(run);
    expect(r.code).toBe(1);
    const res = result(r.stdout);
    expect(res.lost).toBe(0);
    expect(res.leftOnQueue).toBeGreaterThan(0);
    expect(adds(res)).toBe(res.sent);
    expect((await queueNames()).get(res.queue)).toBe(res.leftOnQueue);
    expect(r.stderr).toMatch(/left on the queue: \d+ sent messages were not completed/);
  });
});
