/**
 * Message attributes as people and programs read them: name to value, so a DLQ can be
 * triaged by `sqsops.error` or `sqsops.failedTasks` from `consume --json` or a dry run.
 * Binary values are base64 (JSON has no bytes); the data type is dropped, since SQS's
 * String and Number both travel as text. The one rule: consume, move and process-sqs's
 * pipeline (its schema check reads the template mark here) all read attributes through it.
 */

type AttributeValue = { StringValue?: string | undefined; BinaryValue?: Uint8Array | undefined };

export function messageAttributes(m: { MessageAttributes?: Record<string, AttributeValue> | undefined }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) out[name] = value.StringValue;
    else if (value.BinaryValue !== undefined) out[name] = Buffer.from(value.BinaryValue).toString('base64');
  }
  return out;
}
