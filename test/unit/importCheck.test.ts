import { describe, expect, it } from 'vitest';
import { checkInputs, isFifoTarget, type ImportCheckOptions } from '../../src/features/produce/importCheck.js';

const MiB = 1024 * 1024;
const sqs: ImportCheckOptions = { fifo: false, maxBytes: MiB, limit: "SQS's 1 MiB", dedupMode: 'hash' };
const at = (bodies: string[]) => bodies.map((body, i) => ({ body, source: `f:${i + 1}` }));

describe('the import check', () => {
  it('accepts a file of valid edge cases: emoji, a body of exactly 1 MiB, all allowed whitespace', () => {
    const inputs = at(['{"msg":"🎉 shipped"}', '\u{1F600}', 'x'.repeat(MiB), 'a\tb\r\nc']);
    expect(() => checkInputs(inputs, sqs)).not.toThrow();
  });

  it('names the first bad record, the rule, how many more, and says nothing was sent', () => {
    const inputs = at(['ok', 'ok', 'bad\u0001', 'ok', '', 'x\uDC00']);
    const thrown = (() => {
      try {
        checkInputs(inputs, sqs);
      } catch (e: unknown) {
        return e as Error & { hint?: string; exitCode?: number };
      }
    })();
    expect(thrown?.message).toBe(
      'f:3: body has the control character U+0001 at character 4; SQS accepts only #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF (and 2 more records)',
    );
    expect(thrown?.hint).toMatch(/nothing was sent$/);
    expect(thrown?.exitCode).toBe(2);
  });

  it('measures a body going to S3 as its pointer, and still refuses attributes that alone are over the limit', () => {
    const big = { body: 'x'.repeat(3 * MiB), source: 'f:1' };
    expect(() => checkInputs([big], sqs)).toThrow(/^f:1: body is 3145728 bytes, over SQS's 1 MiB limit$/);
    const largePayload = { bucket: 'b', threshold: MiB };
    expect(() => checkInputs([big], { ...sqs, largePayload })).not.toThrow();
    const heavy = { ...big, attributes: { pad: { DataType: 'String', StringValue: 'y'.repeat(MiB) } } };
    expect(() => checkInputs([heavy], { ...sqs, largePayload })).toThrow(
      /^f:1: body plus attributes is \d+ bytes, over SQS's 1 MiB limit$/,
    );
  });

  it('checks FIFO ids as produce will send them: the record own, or from --group-by', () => {
    const fifo = { ...sqs, fifo: true };
    expect(() => checkInputs([{ body: 'x', source: 'f:1', groupId: '' }], fifo)).toThrow(/^f:1: FIFO: group id is empty/);
    expect(() => checkInputs([{ body: 'x', source: 'f:1' }], fifo)).not.toThrow();
    const long = [{ body: JSON.stringify({ c: 'c'.repeat(200) }), source: 'f:1' }];
    expect(() => checkInputs(long, { ...fifo, groupBy: 'c' })).toThrow(/^f:1: FIFO: group id is 200 characters; SQS allows 1-128$/);
    expect(() => checkInputs(long, { ...sqs, groupBy: 'c' })).not.toThrow();
  });

  it('tells a FIFO queue or topic by its name, URL or ARN', () => {
    expect(isFifoTarget('orders.fifo')).toBe(true);
    expect(isFifoTarget('http://localhost:4566/000000000000/orders.fifo/')).toBe(true);
    expect(isFifoTarget('arn:aws:sns:us-east-1:000000000000:events.fifo')).toBe(true);
    expect(isFifoTarget('fifo-orders')).toBe(false);
  });
});
