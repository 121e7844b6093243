import { describe, expect, it } from 'vitest';
import { findCode, networkCode, partialResultOf, QueueNotFoundError, withPartialResult } from '../../src/core/errors.js';
import { translateCommonError } from '../../src/aws/errors.js';
import { toDownloadError } from '../../src/features/download/errors.js';

const withCode = (code: string, cause?: unknown) => Object.assign(new Error(code, { cause }), { code });

describe('the cause-chain walker', () => {
  it('finds a network code however deep the wrapping', () => {
    expect(networkCode(new Error('fetch failed', { cause: new Error('x', { cause: withCode('ECONNRESET') }) }))).toBe('ECONNRESET');
  });

  it("looks inside an AggregateError's errors (a failed dual-stack connect)", () => {
    expect(networkCode(new AggregateError([new Error('v6'), withCode('ECONNREFUSED')]))).toBe('ECONNREFUSED');
  });

  it('ignores codes that are not asked for, and stops on a cyclic chain', () => {
    expect(networkCode(withCode('ENOENT'))).toBeUndefined();
    const a: { code: string; cause?: unknown } = { code: 'X' };
    a.cause = a;
    expect(findCode(a, (c) => c === 'Y')).toBeUndefined();
  });

  it('is the one both the AWS adapters and the downloader use', () => {
    const e = new Error('request failed', { cause: withCode('UND_ERR_SOCKET') });
    expect(translateCommonError(e, { service: 'SQS' })?.message).toMatch(/cannot reach SQS \(UND_ERR_SOCKET\)/);
    expect(toDownloadError(e)).toMatchObject({ code: 'network', retryable: true });
  });
});

describe('a missing queue', () => {
  it('hints a setup command that works, by name even when the queue was given as a URL', () => {
    expect(new QueueNotFoundError('orders').hint).toBe('check the name and region, or create it with `sqsops setup --queue orders`');
    expect(new QueueNotFoundError('https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo/').hint).toBe(
      'check the name and region, or create it with `sqsops setup --queue orders.fifo`',
    );
  });
});

describe('a partial result carried by the error that stopped a run', () => {
  it('comes back from the same error, and an error without one has none', () => {
    const e = new Error('stopped');
    expect(withPartialResult(e, { handled: 3 })).toBe(e);
    expect(partialResultOf(e)).toEqual({ handled: 3 });
    expect(partialResultOf(new Error('other'))).toBeUndefined();
    expect(partialResultOf('a string')).toBeUndefined();
  });

  it('wraps a thrown value that is not an Error, keeping its words', () => {
    const e = withPartialResult('socket hang up', { handled: 1 });
    expect(e.message).toBe('socket hang up');
    expect(partialResultOf(e)).toEqual({ handled: 1 });
  });
});
