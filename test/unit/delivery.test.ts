import { describe, expect, it } from 'vitest';
import { attemptDelivery, deliveryOf, tagDelivery, worse } from '../../src/core/delivery.js';

const sdkError = (fields: Record<string, unknown>) => Object.assign(new Error('x'), fields);

describe('what a failed request says about delivery', () => {
  it.each([
    ['a 500 from the service', sdkError({ name: 'InternalError', $metadata: { httpStatusCode: 500 } }), 'unknown'],
    ['a 503 from a proxy (only the raw response)', sdkError({ name: 'Unknown', $response: { statusCode: 503 } }), 'unknown'],
    ['a 400 refusal', sdkError({ name: 'InvalidParameterValue', $metadata: { httpStatusCode: 400 } }), 'refused'],
    ['a 403 denial', sdkError({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }), 'refused'],
    ['a refused connection', sdkError({ code: 'ECONNREFUSED' }), 'notSent'],
    ['a name that does not resolve, wrapped', sdkError({ cause: sdkError({ code: 'ENOTFOUND' }) }), 'notSent'],
    [
      "the SDK's connect timeout",
      sdkError({ name: 'TimeoutError', message: 'the request socket did not establish a connection with the server within 1000 ms' }),
      'notSent',
    ],
    ['a reset once connected', sdkError({ name: 'TimeoutError', code: 'ECONNRESET' }), 'unknown'],
    ['a request timeout', sdkError({ name: 'TimeoutError', code: 'ETIMEDOUT' }), 'unknown'],
    ['an abort mid-request', sdkError({ name: 'AbortError' }), 'unknown'],
  ])('%s: %s', (_what, e, delivery) => {
    expect(attemptDelivery(e)).toBe(delivery);
  });

  it('keeps the worst of several attempts', () => {
    expect(worse('unknown', 'notSent')).toBe('unknown');
    expect(worse('notSent', 'refused')).toBe('refused');
    expect(worse('refused', 'unknown')).toBe('unknown');
  });

  it('reads the tag from the error or a cause it wraps; an untagged error never reached the transport', () => {
    const sdk = sdkError({ code: 'ECONNREFUSED' });
    tagDelivery(sdk, 'unknown');
    expect(deliveryOf(sdk)).toBe('unknown');
    expect(deliveryOf(new Error('cannot reach SQS', { cause: sdk }))).toBe('unknown');
    expect(deliveryOf(new Error('no credentials'))).toBe('notSent');
  });
});
