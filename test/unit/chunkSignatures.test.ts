/**
 * The chain of chunk signatures in S3's signed streaming uploads, checked against AWS's own
 * worked example (66,560 bytes of 'a' in chunks of 64 KiB, from the S3 API reference's
 * "Signature calculations for the Authorization header: transferring payload in multiple
 * chunks"), and against a trailer signed here step by step.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getSigningKey } from '@smithy/signature-v4';
import { NodeSha256 } from '../../src/local/sigv4.js';
import { chunkChainProblem, type ChainStart } from '../../src/local/chunkSignatures.js';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const SIGS = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];

async function start(): Promise<ChainStart> {
  const signingKey = await getSigningKey(NodeSha256, credentials, '20130524', 'us-east-1', 's3');
  return { longDate: '20130524T000000Z', scope: '20130524/us-east-1/s3/aws4_request', signingKey, seed: SEED };
}

const chunk = (size: number, sig: string, fill = 'a') =>
  Buffer.concat([Buffer.from(`${size.toString(16)};chunk-signature=${sig}\r\n`), Buffer.alloc(size, fill), Buffer.from('\r\n')]);

const example = (second = chunk(1024, SIGS[1]!)) =>
  Buffer.concat([chunk(65536, SIGS[0]!), second, Buffer.from(`0;chunk-signature=${SIGS[2]}\r\n\r\n`)]);

describe('chunkChainProblem', () => {
  it("accepts AWS's worked example, 66,824 bytes on the wire", async () => {
    expect(example().length).toBe(66824);
    expect(chunkChainProblem(example(), await start(), false)).toBeUndefined();
  });

  it('refuses a changed byte, a dropped chunk, a cut body and data after the last chunk', async () => {
    const s = await start();
    expect(chunkChainProblem(example(chunk(1024, SIGS[1]!, 'b')), s, false)).toBe('a chunk signature does not match');
    const dropped = Buffer.concat([chunk(65536, SIGS[0]!), Buffer.from(`0;chunk-signature=${SIGS[2]}\r\n\r\n`)]);
    expect(chunkChainProblem(dropped, s, false)).toBe('a chunk signature does not match');
    expect(chunkChainProblem(example().subarray(0, 70000 - 4000), s, false)).toBe('a chunk is shorter than its size');
    expect(chunkChainProblem(Buffer.concat([example(), Buffer.from('extra')]), s, false)).toBe('data follows the last chunk');
    expect(chunkChainProblem(Buffer.from('zz;chunk-signature=x\r\n'), s, false)).toBe(
      'a chunk header is not <size>;chunk-signature=<signature>',
    );
  });

  it('checks the trailer signature of the -TRAILER form', async () => {
    const s = await start();
    const hmac = (data: string) => createHmac('sha256', Buffer.from(s.signingKey)).update(data).digest('hex');
    const sha = (data: string) => createHash('sha256').update(data).digest('hex');
    const head = `AWS4-HMAC-SHA256-PAYLOAD\n${s.longDate}\n${s.scope}\n`;
    const c1 = hmac(`${head}${s.seed}\n${sha('')}\n${sha('hello')}`);
    const c0 = hmac(`${head}${c1}\n${sha('')}\n${sha('')}`);
    const trailerSig = (value: string) =>
      hmac(`AWS4-HMAC-SHA256-TRAILER\n${s.longDate}\n${s.scope}\n${c0}\n${sha(`x-amz-checksum-crc32:${value}\n`)}`);
    const body = (value: string, sig: string) =>
      Buffer.from(
        `5;chunk-signature=${c1}\r\nhello\r\n0;chunk-signature=${c0}\r\nx-amz-checksum-crc32:${value}\r\nx-amz-trailer-signature:${sig}\r\n\r\n`,
      );
    expect(chunkChainProblem(body('NhCmhg==', trailerSig('NhCmhg==')), s, true)).toBeUndefined();
    expect(chunkChainProblem(body('AAAAAA==', trailerSig('NhCmhg==')), s, true)).toBe('the trailer signature does not match');
    expect(chunkChainProblem(Buffer.from(`5;chunk-signature=${c1}\r\nhello\r\n0;chunk-signature=${c0}\r\n\r\n`), s, true)).toBe(
      'the trailer has no x-amz-trailer-signature',
    );
  });
});
