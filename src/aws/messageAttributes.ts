/**
 * Message attributes as people and programs read them: name to value, so a DLQ can be
 * triaged by `sqsops.error` or `sqsops.failedTasks` from `consume --json` or a dry run.
 * Binary values are base64 (JSON has no bytes); the data type is dropped, since SQS's
 * String and Number both travel as text.
 */
import type { Message } from '@aws-sdk/client-sqs';

export function messageAttributes(m: Pick<Message, 'MessageAttributes'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) out[name] = value.StringValue;
    else if (value.BinaryValue !== undefined) out[name] = Buffer.from(value.BinaryValue).toString('base64');
  }
  return out;
}
