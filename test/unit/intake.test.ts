import { describe, expect, it } from 'vitest';
import { compileKey } from '../../src/core/keys.js';
import { fromLambdaRecord, fromSqsMessage } from '../../src/pipeline/inbound.js';
import { readMessage } from '../../src/pipeline/intake.js';

const order = JSON.stringify({ orderId: 'o-1', total: 3 });
const envelope = (message: string) =>
  JSON.stringify({
    Type: 'Notification',
    MessageId: 'sns-1',
    TopicArn: 'arn:aws:sns:us-east-1:000000000000:orders',
    Message: message,
    MessageAttributes: { mark: { Type: 'String', Value: 'm@1' } },
  });
const message = (body: string) => fromSqsMessage({ MessageId: 'm-1', ReceiptHandle: 'r', Body: body, Attributes: {} });

describe('message attributes: one rule for both entries', () => {
  it('reads string attributes as they are and binary ones as base64, from ReceiveMessage and from a Lambda event', () => {
    const sqs = fromSqsMessage({
      MessageId: 'm',
      Body: '{}',
      MessageAttributes: { s: { DataType: 'String', StringValue: 'x' }, b: { DataType: 'Binary', BinaryValue: Buffer.from('hi') } },
    });
    const lambda = fromLambdaRecord({
      messageId: 'm',
      receiptHandle: '',
      body: '{}',
      attributes: {},
      eventSourceARN: '',
      messageAttributes: { s: { dataType: 'String', stringValue: 'x' }, b: { dataType: 'Binary', binaryValue: 'aGk=' } },
    });
    expect(sqs.attributes).toEqual({ s: 'x', b: 'aGk=' });
    expect(lambda.attributes).toEqual(sqs.attributes);
  });
});

describe('readMessage', () => {
  const keyOf = compileKey('orderId');

  it('keys and hashes an enveloped event as the event itself', () => {
    const bare = readMessage(message(order), { keyOf });
    const wrapped = readMessage(message(envelope(order)), { keyOf });
    expect(bare).toMatchObject({ ok: true, key: 'o-1', text: order });
    expect(wrapped).toMatchObject({ ok: true, key: 'o-1', text: order, sns: { messageId: 'sns-1' } });
    expect(wrapped.ok && bare.ok && wrapped.hash === bare.hash).toBe(true);
  });

  it('checks the schema with the attributes the envelope carries, and still names the key', () => {
    const validate = (_: unknown, attributes: Record<string, string>) => (attributes.mark === 'm@1' ? 'marked: refused' : undefined);
    expect(readMessage(message(envelope(order)), { keyOf, validate })).toEqual({
      ok: false,
      reason: 'schema: marked: refused',
      key: 'o-1',
    });
    expect(readMessage(message(order), { keyOf, validate })).toMatchObject({ ok: true });
  });

  it('calls a body that is not JSON poison, unless plain text is taken (keyed by its MessageId only)', () => {
    expect(readMessage(message('plain'), { keyOf: compileKey(undefined) })).toEqual({ ok: false, reason: 'body is not JSON' });
    expect(readMessage(message('plain'), { keyOf: compileKey(undefined), plainText: true })).toMatchObject({
      ok: true,
      key: 'm-1',
      text: 'plain',
    });
    expect(readMessage(message('plain'), { keyOf, plainText: true })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/orderId/),
    });
  });
});
