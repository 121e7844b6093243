import { describe, expect, it } from 'vitest';
import {
  parseContentRange,
  parseRetryAfter,
  parseUnsatisfiedRange,
  retryDelayMs,
  statusError,
} from '../../src/features/download/policy.js';
import { DownloadError, toDownloadError } from '../../src/features/download/errors.js';
import { redact, redactUrl, secretsOf } from '../../src/core/redact.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

describe('retry policy', () => {
  it.each([
    ['3', 3000],
    [' 0 ', 0],
    ['Wed, 01 Jan 2025 12:00:05 GMT', 5000],
    ['Wed, 01 Jan 2025 11:00:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads Retry-After %j', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it.each([
    [429, 'rate_limited', true],
    [500, 'http_status', true],
    [503, 'http_status', true],
    [404, 'http_status', false],
    [403, 'http_status', false],
    [408, 'http_status', false],
    [304, 'http_status', false],
  ])('treats HTTP %i as %s, retryable: %s', (status, code, retryable) => {
    const e = statusError(status, undefined, NOW);
    expect([e.code, e.retryable, e.status]).toEqual([code, retryable, status]);
  });

  it('waits what Retry-After says, up to a cap, and backs off with jitter otherwise', () => {
    const limited = statusError(429, '7', NOW);
    expect(retryDelayMs(1, limited)).toBe(7000);
    expect(retryDelayMs(1, statusError(429, '3600', NOW), { maxRetryAfterMs: 10_000 })).toBe(10_000);
    const e = statusError(503, undefined, NOW);
    expect(retryDelayMs(1, e, { baseMs: 100, random: () => 0.999 })).toBe(99);
    expect(retryDelayMs(4, e, { baseMs: 100, random: () => 0.999 })).toBe(799);
    expect(retryDelayMs(30, e, { baseMs: 100, capMs: 5000, random: () => 0.5 })).toBe(2500);
    expect(retryDelayMs(3, e, { random: () => 0 })).toBe(0);
  });

  it.each([
    ['bytes 100-199/1000', { start: 100, end: 199, total: 1000 }],
    ['bytes 0-0/*', { start: 0, end: 0, total: undefined }],
    ['bytes 5-4/10', undefined],
    ['bytes 0-10/10', undefined],
    ['bytes */10', undefined],
    [undefined, undefined],
  ])('reads Content-Range %j', (value, expected) => {
    expect(parseContentRange(value)).toEqual(expected);
  });

  it('reads the length of an unsatisfiable range', () => {
    expect(parseUnsatisfiedRange('bytes */4096')).toBe(4096);
    expect(parseUnsatisfiedRange('bytes 0-1/2')).toBeUndefined();
  });

  it('turns socket and timeout errors into retryable ones, and disk errors into final ones', () => {
    expect(toDownloadError(Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }))).toMatchObject({ code: 'network', retryable: true });
    expect(toDownloadError(new Error('x', { cause: Object.assign(new Error('y'), { code: 'ECONNRESET' }) }))).toMatchObject({
      code: 'network',
      retryable: true,
    });
    expect(toDownloadError(Object.assign(new Error('x'), { code: 'UND_ERR_BODY_TIMEOUT' }))).toMatchObject({
      code: 'timeout',
      retryable: true,
      message: 'idle body timeout (UND_ERR_BODY_TIMEOUT)',
    });
    expect(toDownloadError(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toMatchObject({ code: 'write', retryable: false });
    const own = new DownloadError('checksum', 'x', { retryable: true });
    expect(toDownloadError(own)).toBe(own);
  });
});

describe('redaction', () => {
  it('masks URL credentials and every query value, and drops the fragment', () => {
    expect(redactUrl('https://user:pw@a.test/f.bin?X-Amz-Signature=abc&v=1#frag')).toBe(
      'https://***:***@a.test/f.bin?X-Amz-Signature=***&v=***',
    );
    expect(redactUrl('https://a.test/f.bin')).toBe('https://a.test/f.bin');
  });

  it('masks what it can in text that is not a URL', () => {
    expect(redactUrl('mongodb://u:pw@h1:1,h2:2/y?token=1')).toBe('mongodb://u:***@h1:1,h2:2/y?***');
  });

  it('scrubs header values and URL secrets out of any message', () => {
    const secrets = secretsOf('https://u:hunter22@a.test/x?token=s3cr3t', { Authorization: 'Bearer abcdef123' });
    const text = redact('failed with Bearer abcdef123 for token=s3cr3t as hunter22 (abcdef123)', secrets);
    expect(text).not.toMatch(/abcdef123|s3cr3t|hunter22/);
  });
});
