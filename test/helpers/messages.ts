/** Messages as tests compare them: seeded with every attribute type, drained, reduced to what a resend must keep. */
import {
  type SQSClient,
  ReceiveMessageCommand,
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { expect } from 'vitest';

export const urlOf = async (c: SQSClient, name: string) => (await c.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;

/** What a message is, as a comparable value: body, attributes (binary as base64), group, dedup id. */
export function essence(m: Message): Record<string, unknown> {
  const attrs = Object.fromEntries(
    Object.entries(m.MessageAttributes ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [
        k,
        { t: v.DataType, s: v.StringValue, b: v.BinaryValue ? Buffer.from(v.BinaryValue).toString('base64') : undefined },
      ]),
  );
  return { body: m.Body, attrs, group: m.Attributes?.MessageGroupId, dedup: m.Attributes?.MessageDeduplicationId };
}

export async function drainAll(c: SQSClient, url: string): Promise<Message[]> {
  const out: Message[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await c.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    empty = Messages.length ? 0 : empty + 1;
    out.push(...Messages);
    if (Messages.length)
      await c.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
  }
  return out;
}

/** Bodies a JSON tool could mangle: unicode, control characters, not JSON at all, a JSON number. */
export const ODD_BODIES = [
  '{"n":1,"name":"Zoë ✓ € 中"}',
  'plain text, not JSON\twith a tab',
  '  {"spaced": true}  ',
  '12345',
  'line1\nline2\r\n',
  '"quoted"',
];

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
