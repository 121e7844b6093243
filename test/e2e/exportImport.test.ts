/**
 * Export and import as a user runs them: queue -> `consume --out` -> file ->
 * `produce --from-file` -> another queue gives the same messages (body byte for byte,
 * String/Number/Binary attributes, FIFO group and dedup id), on standard and FIFO queues.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SQSClient, ReceiveMessageCommand, DeleteMessageBatchCommand, GetQueueUrlCommand, SendMessageBatchCommand, type Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, type CliHome } from '../helpers/cli.js';

let cli: CliHome;
let sqs: SQSClient;
beforeAll(async () => {
  cli = newHome();
  const status = JSON.parse((await cli.run(['local', 'start', '--json'])).stdout) as { endpoint: string };
  sqs = new SQSClient({ endpoint: status.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' } });
});
afterAll(async () => {
  sqs.destroy();
  await cli.cleanup();
});

export const urlOf = async (c: SQSClient, name: string) => (await c.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;

/** What a message is, as a comparable value: body, attributes (binary as base64), group, dedup id. */
export function essence(m: Message): Record<string, unknown> {
  const attrs = Object.fromEntries(
    Object.entries(m.MessageAttributes ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, { t: v.DataType, s: v.StringValue, b: v.BinaryValue ? Buffer.from(v.BinaryValue).toString('base64') : undefined }]),
  );
  return { body: m.Body, attrs, group: m.Attributes?.MessageGroupId, dedup: m.Attributes?.MessageDeduplicationId };
}

export async function drainAll(c: SQSClient, url: string): Promise<Message[]> {
  const out: Message[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await c.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }),
    );
    empty = Messages.length ? 0 : empty + 1;
    out.push(...Messages);
    if (Messages.length) await c.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
  return out;
}

/** Bodies a JSON tool could mangle: unicode, control characters, not JSON at all, a JSON number. */
export const ODD_BODIES = ['{"n":1,"name":"Zoë ✓ € 中"}', 'plain text, not JSON\twith a tab', '  {"spaced": true}  ', '12345', 'line1\nline2\r\n', '"quoted"'];

export async function seed(c: SQSClient, url: string, fifo: boolean, n: number): Promise<void> {
  for (let i = 0; i < n; i += 10) {
    const Entries = Array.from({ length: Math.min(10, n - i) }, (_, j) => {
      const k = i + j;
      return {
        Id: String(j),
        MessageBody: `${ODD_BODIES[k % ODD_BODIES.length]!}#${k}`,
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: `k${k % 3}` },
          amount: { DataType: 'Number', StringValue: String(k * 1.5) },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([k % 256, 0, 255, 10]) },
          ...(k % 2 ? { custom: { DataType: 'String.custom', StringValue: 'ünïcode' } } : {}),
        },
        ...(fifo ? { MessageGroupId: `g${k % 4}`, MessageDeduplicationId: `dedup-${k}` } : {}),
      };
    });
    expect((await c.send(new SendMessageBatchCommand({ QueueUrl: url, Entries }))).Failed ?? []).toEqual([]);
  }
}

const sortKey = (e: Record<string, unknown>) => String(e.body);

describe.each([
  ['standard', false],
  ['FIFO', true],
])('export and import on a %s queue', (_kind, fifo) => {
  it('comes back identical: queue -> consume --out -> produce --from-file -> queue', async () => {
    const sfx = fifo ? '.fifo' : '';
    const [from, to] = [`rt-src${sfx}`, `rt-dst${sfx}`];
    expect((await cli.run(['setup', '--queue', from, to, '--no-dlq'])).code).toBe(0);
    await seed(sqs, await urlOf(sqs, from), fifo, 23);
    const file = join(cli.home, `rt${sfx}.ndjson`);
    const c = await cli.run(['consume', '--queue', from, '--count', '100', '--wait', '1', '--out', file, '--json']);
    expect(c.code).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(23);
    expect(lines[0]).toMatchObject({ format: 'sqsops.message/1', receiveCount: 1 });
    expect(lines[0]!.sentAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const p = await cli.run(['produce', '--queue', to, '--from-file', file, '--json']);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ total: 23, sent: 23, failed: [] });
    const expected = lines.map((l) => ({ ...l }));
    const got = (await drainAll(sqs, await urlOf(sqs, to))).map(essence).sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    expect(got).toHaveLength(23);
    const want = expected
      .map((l) => ({
        body: l.body,
        attrs: Object.fromEntries(
          Object.entries(l.attributes as Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, { t: v.DataType, s: v.StringValue, b: v.BinaryValue }]),
        ),
        group: l.groupId,
        dedup: l.deduplicationId,
      }))
      .sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    expect(got).toEqual(want);
    if (fifo) expect(new Set(got.map((g) => g.group))).toEqual(new Set(['g0', 'g1', 'g2', 'g3']));
  });
});
