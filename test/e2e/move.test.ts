/**
 * `sqsops move` as a process: bad input in one line, the summary, and kill -9 in the
 * middle of a move (redrive.test.ts's approach: kill right after the destination grew,
 * plus a few random milliseconds, then rerun until the source is empty). Nothing may be
 * lost; duplicates are only the undecided sends the kill kept out of the journal.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { localSqsForFile } from '../helpers/cli.js';
import { drainAll, urlOf } from '../helpers/messages.js';

const { cli, sqs } = localSqsForFile();

async function count(url: string, which: 'ApproximateNumberOfMessages' | 'both'): Promise<number> {
  const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] as const;
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...names] }))).Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages) + (which === 'both' ? Number(a.ApproximateNumberOfMessagesNotVisible) : 0);
}

async function fill(url: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 10) {
    const Entries = Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: JSON.stringify({ n: i + j }) }));
    expect((await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries }))).Failed ?? []).toEqual([]);
  }
}

describe('move input', () => {
  it.each([
    [['move', '--to', 'b'], /required option '--from/],
    [['move', '--from', 'a'], /required option '--to/],
    [['move', '--from', 'a', '--to', 'b', '--filter', 'x=1'], /--filter "x=1" is not a filter expression/],
    [['move', '--from', 'a', '--to', 'b', '--max', '0'], /--max must be/],
  ])('rejects %j with one line and exit 2, before connecting', async (args, message) => {
    const r = await cli.run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/target:|\n\s+at /);
  });
});

describe('move and copy', () => {
  it('copies with a summary that adds up, leaving the source as it was', async () => {
    expect((await cli.run(['setup', '--queue', 'mc-a', 'mc-b', '--no-dlq'])).code).toBe(0);
    const [a, b] = [await urlOf(sqs, 'mc-a'), await urlOf(sqs, 'mc-b')];
    await fill(a, 20);
    const r = await cli.run(['move', '--from', 'mc-a', '--to', 'mc-b', '--copy', '--wait', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/copied\s+│\s+20/);
    expect(r.stdout).toMatch(/left in source\s+│\s+20/);
    expect([await count(a, 'both'), await count(b, 'both')]).toEqual([20, 20]);
    const dry = await cli.run(['move', '--from', 'mc-a', '--to', 'mc-b', '--dry-run', '--max', '3', '--wait', '1', '--json']);
    expect(JSON.parse(dry.stdout)).toMatchObject({ moved: 0, dryRun: true, wouldMove: [{}, {}, {}] });
  });
});

const N = 600;
describe('move under kill -9', () => {
  it.each([['queue'], ['file']])(
    'to a %s: loses nothing; duplicates only undecided sends (10 per lane per kill at most)',
    async (kind) => {
      const src = `mk-${kind}`;
      expect((await cli.run(['setup', '--queue', src, `${src}-to`, '--no-dlq'])).code).toBe(0);
      const srcUrl = await urlOf(sqs, src);
      const dstUrl = await urlOf(sqs, `${src}-to`);
      await fill(srcUrl, N);
      const file = join(cli.home, `${src}.ndjson`);
      const to = kind === 'file' ? file : `${src}-to`;
      const delivered = async () =>
        kind === 'file' ? readFileSync(file, 'utf8').split('\n').length - 1 : count(dstUrl, 'ApproximateNumberOfMessages');
      const args = ['move', '--from', src, '--to', to, '--visibility-timeout', '5', '--concurrency', '2', '--json'];
      let kills = 0;
      for (const goal of [N / 3, (2 * N) / 3]) {
        const victim = cli.spawn([...args, '--wait', '6']);
        let done = false;
        const exited = new Promise((r) => victim.on('exit', r));
        void exited.then(() => (done = true));
        while (!done && (await delivered().catch(() => 0)) < goal) await new Promise((r) => setTimeout(r, 5));
        await new Promise((r) => setTimeout(r, Math.random() * 30));
        expect(done, 'the move ended before it could be killed').toBe(false);
        victim.kill('SIGKILL');
        await exited;
        kills++;
      }
      let recovered = 0;
      for (let i = 0; i < 5 && (await count(srcUrl, 'both')) > 0; i++) {
        const r = await cli.run([...args, '--wait', '6']);
        expect(r.code, r.stderr).toBe(0);
        recovered += (JSON.parse(r.stdout) as { recovered: number }).recovered;
      }
      expect(await count(srcUrl, 'both')).toBe(0);
      const bodies =
        kind === 'file'
          ? readFileSync(file, 'utf8')
              .trim()
              .split('\n')
              .map((l) => (JSON.parse(l) as { body: string }).body)
          : (await drainAll(sqs, dstUrl)).map((m) => m.Body!);
      const duplicates = bodies.length - new Set(bodies).size;
      console.log(
        `move kill -9 (to a ${kind}): ${kills} kills, ${recovered} recovered from the journal, ${duplicates} duplicates, ${new Set(bodies).size} of ${N} delivered`,
      );
      expect(new Set(bodies).size).toBe(N);
      expect(duplicates).toBeLessThanOrEqual(kills * 2 * 10);
      // Generous: on a loaded machine the reruns' whole-wait checks alone take tens of seconds.
    },
    300_000,
  );
});
