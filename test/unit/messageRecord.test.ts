import { describe, expect, it } from 'vitest';
import { parseBodies } from '../../src/core/input.js';
import { decodeBase64, fromRecord, parseRecords, RECORD_FORMAT, toRecord } from '../../src/core/messageRecord.js';
import { UsageError } from '../../src/core/errors.js';

describe('the export record', () => {
  it('keeps body, every attribute type, group, dedup id, sent time and receive count', () => {
    const r = toRecord({
      messageId: 'm1',
      body: 'héllo\n\u0000"x"',
      attributes: {
        s: { DataType: 'String', StringValue: 'a' },
        n: { DataType: 'Number.int', StringValue: '42' },
        b: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 255, 7]) },
      },
      systemAttributes: { MessageGroupId: 'g', MessageDeduplicationId: 'd', SentTimestamp: '1700000000000', ApproximateReceiveCount: '3' },
    });
    expect(r).toEqual({
      format: RECORD_FORMAT,
      messageId: 'm1',
      body: 'héllo\n\u0000"x"',
      attributes: {
        s: { DataType: 'String', StringValue: 'a' },
        n: { DataType: 'Number.int', StringValue: '42' },
        b: { DataType: 'Binary', BinaryValue: 'AP8H' },
      },
      groupId: 'g',
      deduplicationId: 'd',
      sentAt: '2023-11-14T22:13:20.000Z',
      receiveCount: 3,
    });
    const back = fromRecord(JSON.parse(JSON.stringify(r)), 'x:1');
    expect(back.body).toBe('héllo\n\u0000"x"');
    expect([...back.attributes!.b!.BinaryValue!]).toEqual([0, 255, 7]);
    expect(back).toMatchObject({ groupId: 'g', deduplicationId: 'd', attributes: { n: { DataType: 'Number.int', StringValue: '42' } } });
  });

  it('carries a body with a lone surrogate (no UTF-8 form) as base64 and restores it exactly', () => {
    const body = 'a\uD800b';
    const r = toRecord({ messageId: 'm', body });
    expect(r.bodyEncoding).toBe('base64-utf16le');
    expect(fromRecord(JSON.parse(JSON.stringify(r)), 'x:1').body).toBe(body);
  });

  it('reads a file of records, and leaves a file of plain bodies to the body parser', () => {
    const line = JSON.stringify(toRecord({ messageId: 'm', body: '{"a":1}' }));
    expect(parseRecords(`${line}\n\n${line}\n`, 'f')).toEqual([
      { body: '{"a":1}', source: 'f:1' },
      { body: '{"a":1}', source: 'f:3' },
    ]);
    expect(parseRecords('{"orderId":1}\n', 'f')).toBeUndefined();
    expect(parseRecords('[{"a":1}]', 'f')).toBeUndefined();
  });

  it('names the line that is not a record in a file of records', () => {
    const line = JSON.stringify(toRecord({ messageId: 'm', body: 'x' }));
    expect(() => parseRecords(`${line}\n{"orderId":1}\n`, 'f')).toThrow(/^f:2: not a sqsops.message\/1 record$/);
    expect(() => parseRecords(`${line}\n{"format":"${RECORD_FORMAT}","body":1}\n`, 'f')).toThrow(UsageError);
    expect(() => parseRecords(`${line}\n{"format":"${RECORD_FORMAT}","body":"x","attributes":{"a":{"DataType":"String"}}}\n`, 'f')).toThrow(
      /f:2: attribute "a" has no value/,
    );
  });

  it('refuses a record in a file of plain bodies, on any line, before anything is sent', () => {
    const line = JSON.stringify(toRecord({ messageId: 'm', body: 'x' }));
    expect(parseRecords(`{"orderId":1}\n${line}\n`, 'f')).toBeUndefined();
    expect(() => parseBodies(`{"orderId":1}\n${line}\n`, 'f')).toThrow(
      /^f:2: a sqsops.message record in a file of plain bodies; export files hold records only$/,
    );
    expect(() => parseBodies(`[{"orderId":1},${line}]`, 'f')).toThrow(/^f entry 1: a sqsops.message record in a file of plain bodies/);
    // A format that merely looks alike is a body like any other.
    expect(parseBodies('{"orderId":1}\n{"format":"csv"}\n', 'f')).toEqual(['{"orderId":1}', '{"format":"csv"}']);
  });

  it('refuses a record of an unknown format version, naming the one it reads', () => {
    const v2 = '{"format":"sqsops.message/2","messageId":"m","body":"x"}';
    const v1 = JSON.stringify(toRecord({ messageId: 'm', body: 'x' }));
    const unsupported = (n: number) =>
      new RegExp(`^f:${n}: format "sqsops.message/2" is not supported; this sqsops reads sqsops.message/1$`);
    expect(() => parseRecords(`${v2}\n`, 'f')).toThrow(unsupported(1));
    expect(() => parseRecords(`${v1}\n${v2}\n`, 'f')).toThrow(unsupported(2));
    expect(() => parseBodies(`{"orderId":1}\n\n${v2}\n`, 'f')).toThrow(unsupported(3));
  });

  it('decodes base64 strictly: what Node would silently read as other bytes is refused', () => {
    expect(Buffer.from(decodeBase64('AP8H')!)).toEqual(Buffer.from([0, 255, 7]));
    expect(decodeBase64('')?.byteLength).toBe(0);
    // Node reads each of these without complaint, as bytes nobody wrote.
    for (const bad of ['!!!not*base64@@', 'QR==', 'AP8', 'AP8H=', 'AP 8H', 'AP-_', 'QQ==QQ=='])
      expect(decodeBase64(bad), bad).toBeUndefined();
  });

  it('refuses a Binary attribute or a base64 body that is not strict base64, naming the line', () => {
    const line = (fields: Record<string, unknown>) => JSON.stringify({ format: RECORD_FORMAT, messageId: 'm', body: 'x', ...fields });
    const binary = line({ attributes: { sig: { DataType: 'Binary', BinaryValue: '!!!not*base64@@' } } });
    expect(() => parseRecords(`${line({})}\n${binary}\n`, 'f')).toThrow(
      /^f:2: attribute "sig": BinaryValue is not base64 \(standard base64/,
    );
    const body = line({ body: 'not base64!', bodyEncoding: 'base64-utf16le' });
    expect(() => parseRecords(`${body}\n`, 'f')).toThrow(/^f:1: "body" is not base64 \(bodyEncoding base64-utf16le needs standard base64/);
    const odd = line({ body: 'AP8H', bodyEncoding: 'base64-utf16le' });
    expect(() => parseRecords(`${odd}\n`, 'f')).toThrow(/^f:1: "body" decodes to 3 bytes, not whole UTF-16 code units$/);
    const wrongType = line({ attributes: { n: { DataType: 'Number', StringValue: 12 } } });
    expect(() => parseRecords(`${wrongType}\n`, 'f')).toThrow(/^f:1: attribute "n": StringValue must be a string$/);
  });
});
