/**
 * `sqsops tail`, the built CLI against the local AWS: it shows each message once, new ones as
 * they arrive, takes nothing (the queue holds as many visible messages after as before), and
 * refuses a queue whose redrive policy the run could reach. Ctrl-C prints the count and
 * exits 130; a reader that goes away ends it quietly; either way every message is released.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { newHome, startedLocalSqs, type CliHome } from '../helpers/cli.js';

let cli: CliHome;
let sqs: SQSClient;
beforeAll(async () => {
  cli = newHome();
  sqs = await startedLocalSqs(cli);
  expect((await cli.run(['setup', '--queue', 'tail-free', '--no-dlq'])).code).toBe(0);
  expect((await cli.run(['setup', '--queue', 'tail-guarded', '--max-receive-count', '3'])).code).toBe(0);
});
afterAll(async () => {
  sqs.destroy();
  await cli.cleanup();
});

async function depth(queue: string): Promise<{ visible: number; inFlight: number }> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
  const a = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return {
    visible: Number(a.Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

const lines = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { messageId: string; body: string; attributes: Record<string, string> });

/** Waits for a child's stderr to contain `text`. */
function stderrSays(child: ReturnType<CliHome['spawn']>, text: RegExp): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (text.test(seen)) resolve();
    });
  });
}

describe('sqsops tail', () => {
  it('shows each message once, takes none, and says what it saw', async () => {
    expect((await cli.run(['produce', '--queue', 'tail-free', '--count', '4', '--seed', '7'])).code).toBe(0);
    const r = await cli.run(['tail', 'tail-free', '--duration', '3', '--interval', '1', '--output', 'ndjson']);
    expect(r.code).toBe(0);
    const shown = lines(r.stdout);
    expect(shown).toHaveLength(4);
    expect(new Set(shown.map((m) => m.messageId)).size).toBe(4);
    expect(r.stderr).toMatch(/tail tail-free: 4 messages seen \(4 shown\) in \d+ polls, \d+ receives; every one made visible again/);
    expect(await depth('tail-free')).toEqual({ visible: 4, inFlight: 0 });
  });

  it('filters as move does, and shows messages that arrive while it runs', async () => {
    const child = cli.spawn([
      'tail',
      'tail-free',
      '--duration',
      '20',
      '--interval',
      '1',
      '--output',
      'ndjson',
      '--filter',
      'body.note=late',
    ]);
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise((r) => setTimeout(r, 2_000));
    const late = JSON.stringify([{ note: 'late', n: 1 }]);
    expect((await cli.run(['produce', '--queue', 'tail-free', '--from-file', '-'], { input: late })).code).toBe(0);
    for (let i = 0; i < 100 && !stdout.includes('late'); i++) await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    expect(await done).toBe(130);
    expect(lines(stdout).map((m) => JSON.parse(m.body))).toEqual([{ note: 'late', n: 1 }]);
  });

  it('refuses a queue whose redrive policy the run could reach, before receiving anything', async () => {
    expect((await cli.run(['produce', '--queue', 'tail-guarded', '--count', '2'])).code).toBe(0);
    const endless = await cli.run(['tail', 'tail-guarded']);
    expect(endless.code).toBe(2);
    expect(endless.stderr).toMatch(/error: not tailing tail-guarded: .* this run has no end: after 3 receives it goes to the DLQ/);
    expect(endless.stderr).toMatch(/hint: give --duration S \(--duration 9 or less keeps it out\)/);
    const long = await cli.run(['tail', 'tail-guarded', '--duration', '10']);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/may be received up to 3 times in this run/);
    const ok = await cli.run(['tail', 'tail-guarded', '--duration', '2', '--output', 'ndjson']);
    expect(ok.code).toBe(0);
    expect(lines(ok.stdout)).toHaveLength(2);
    expect(await depth('tail-guarded')).toEqual({ visible: 2, inFlight: 0 });
  });

  it('Ctrl-C prints the count and exits 130; a closed pipe ends it quietly; nothing stays hidden', async () => {
    const child = cli.spawn(['tail', 'tail-free', '--interval', '1', '--output', 'ndjson']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 100 && lines(out).length < 5; i++) await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    expect(await done).toBe(130);
    expect(stderr).toMatch(/tail tail-free: 5 messages seen \(5 shown\)/);
    expect(stderr).toMatch(/error: interrupted/);
    // A receive cut by the signal may hold up to 10 messages for 10 s; then all are back.
    for (let i = 0; i < 60 && (await depth('tail-free')).visible !== 5; i++) await new Promise((r) => setTimeout(r, 500));
    expect(await depth('tail-free')).toEqual({ visible: 5, inFlight: 0 });

    const piped = cli.spawn(['tail', 'tail-free', '--interval', '1', '--output', 'ndjson']);
    const says = stderrSays(piped, /tail tail-free:/);
    const closed = new Promise<number | null>((resolve) => piped.on('close', resolve));
    const firstData = new Promise<void>((resolve) =>
      piped.stdout!.once('data', () => {
        piped.stdout!.destroy();
        resolve();
      }),
    );
    await firstData;
    // As with `tail -f | head`, the closed pipe is noticed at the next write: one more message makes one.
    expect((await cli.run(['produce', '--queue', 'tail-free', '--count', '1'])).code).toBe(0);
    expect(await closed).toBe(0);
    await says;
    for (let i = 0; i < 60 && (await depth('tail-free')).visible !== 6; i++) await new Promise((r) => setTimeout(r, 500));
    expect(await depth('tail-free')).toEqual({ visible: 6, inFlight: 0 });
  });
});
