/**
 * redrive-dlq as a process: killed with SIGKILL several times in the middle of a move
 * (right after the destination grew, plus a few random milliseconds: the worst moment,
 * when sends have just been accepted), then run again until the DLQ is empty. Nothing may
 * be lost; a FIFO destination gets no duplicate (dedup id) and keeps each group's order;
 * a standard one can get the batches SQS had accepted that the kill kept out of the
 * journal: at most one batch per lane per kill (the documented window).
 */
import {
  ReceiveMessageCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { localSqsForFile } from '../helpers/cli.js';

const { cli, sqs } = localSqsForFile();

const urlOf = async (name: string) => (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
async function depth(url: string): Promise<number> {
  const a =
    (
      await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      )
    ).Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
}
async function visible(url: string): Promise<number> {
  const a =
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages);
}

/** Every message of a queue, in receive order, deleted as read. */
async function drain(url: string): Promise<{ body: string; group?: string }[]> {
  const out: { body: string; group?: string }[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    empty = Messages.length ? 0 : empty + 1;
    for (const m of Messages) out.push({ body: m.Body!, ...(m.Attributes?.MessageGroupId ? { group: m.Attributes.MessageGroupId } : {}) });
    if (Messages.length)
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
  }
  return out;
}

const N = 1200;
const KILLS = 3;

async function killMidMove(
  queue: string,
  fifo: boolean,
  extra: string[] = [],
): Promise<{ got: { body: string; group?: string }[]; recovered: number; killedAt: number[] }> {
  expect((await cli.run(['setup', '--queue', queue])).code).toBe(0);
  const dlqName = fifo ? `${queue.slice(0, -5)}-dlq.fifo` : `${queue}-dlq`;
  const [src, dlq] = [await urlOf(queue), await urlOf(dlqName)];
  for (let i = 0; i < N; i += 10) {
    const Entries = Array.from({ length: 10 }, (_, j) => ({
      Id: String(j),
      MessageBody: JSON.stringify({ n: i + j }),
      ...(fifo ? { MessageGroupId: `g${(i + j) % 4}`, MessageDeduplicationId: `d${i + j}` } : {}),
    }));
    expect((await sqs.send(new SendMessageBatchCommand({ QueueUrl: dlq, Entries }))).Failed ?? []).toEqual([]);
  }
  const args = ['redrive-dlq', '--from', dlqName, '--visibility-timeout', '5', '--json', ...extra];
  const killedAt: number[] = [];
  for (let k = 1; k <= KILLS; k++) {
    const victim = cli.spawn([...args, '--wait', '6']); // FIFO: groups a killed run held stay locked for 5 s
    let output = '';
    victim.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    victim.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise((r) => victim.on('exit', r));
    let done = false;
    void exited.then((code) => {
      done = true;
      output += ` (exit ${String(code)})`;
    });
    // Kill once the destination has grown by a share, plus a random few milliseconds.
    const goal = (k * N) / (KILLS + 1);
    while (!done && (await visible(src)) < goal) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, Math.random() * 30));
    if (done) console.log(output);
    expect(done, `the move ended before it could be killed (kill ${k})`).toBe(false);
    victim.kill('SIGKILL');
    await exited;
    killedAt.push(await visible(src));
  }
  let recovered = 0;
  for (let i = 0; i < 5 && (await depth(dlq)) > 0; i++) {
    // Messages the killed runs had received come back after their 5 s visibility: a 6 s poll sees them.
    const r = await cli.run([...args, '--wait', '6']);
    expect(r.code, r.stderr).toBe(0);
    recovered += (JSON.parse(r.stdout) as { recovered: number }).recovered;
  }
  expect(await depth(dlq)).toBe(0);
  return { got: await drain(src), recovered, killedAt };
}

const all = Array.from({ length: N }, (_, n) => JSON.stringify({ n }));

describe('redrive-dlq input', () => {
  it.each([
    [['redrive-dlq'], /required option '--from/],
    [['redrive-dlq', '--from', 'q', '--filter', 'currency=EUR'], /--filter "currency=EUR" is not a filter expression/],
    [['redrive-dlq', '--from', 'q', '--max', '0'], /--max must be/],
    [['redrive-dlq', '--from', 'q', '--wait', '21'], /--wait must be/],
    [['redrive-dlq', '--from', 'q', '--concurrency', 'many'], /--concurrency must be/],
  ])('rejects %j with one line and exit 2, before connecting', async (args, message) => {
    const r = await cli.run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/target:|\n\s+at /);
  });

  it('names a DLQ that does not exist (exit 3) and refuses --to the DLQ itself (exit 2)', async () => {
    const missing = await cli.run(['redrive-dlq', '--from', 'no-such-dlq']);
    expect([missing.code, missing.stderr]).toEqual([3, expect.stringMatching(/queue "no-such-dlq" does not exist/)]);
    expect((await cli.run(['setup', '--queue', 'rk-self'])).code).toBe(0);
    const self = await cli.run(['redrive-dlq', '--from', 'rk-self-dlq', '--to', 'rk-self-dlq']);
    expect([self.code, self.stderr]).toEqual([2, expect.stringMatching(/--to names the DLQ itself/)]);
  });
});

describe('redrive-dlq under kill -9', () => {
  it('FIFO: loses nothing, duplicates nothing, keeps every group in order', async () => {
    const { got, recovered, killedAt } = await killMidMove('rk-fifo.fifo', true);
    console.log(
      `redrive kill -9 (FIFO): killed at ${killedAt.join(', ')} moved; ${recovered} recovered from the journal by the reruns; ${got.length} at the destination for ${N}`,
    );
    expect(got.map((m) => m.body).sort()).toEqual([...all].sort());
    for (let g = 0; g < 4; g++) {
      const ns = got.filter((m) => m.group === `g${g}`).map((m) => (JSON.parse(m.body) as { n: number }).n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
      expect(ns).toHaveLength(N / 4);
    }
  });

  for (const lanes of [8, 1]) {
    it(`standard, ${lanes} lane(s): loses nothing; duplicates only what SQS accepted and the kill kept from the journal (10 per lane per kill at most)`, async () => {
      const { got, recovered, killedAt } = await killMidMove(`rk-std-${lanes}`, false, ['--concurrency', String(lanes)]);
      const bodies = got.map((m) => m.body);
      const duplicates = bodies.length - new Set(bodies).size;
      console.log(
        `redrive kill -9 (standard, ${lanes} lanes): killed at ${killedAt.join(', ')} moved; ${recovered} recovered from the journal by the reruns; ${duplicates} duplicates`,
      );
      expect([...new Set(bodies)].sort()).toEqual([...all].sort());
      expect(duplicates).toBeLessThanOrEqual(10 * lanes * KILLS);
    });
  }
});
