/**
 * The local AWS's signature check, without a server: what the SDK's signer produces is
 * accepted, within AWS's 15-minute clock window, and a change to any signed part is not.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256, parseSigned, verifySigned } from '../../src/local/sigv4.js';
import { generateCredentials } from '../../src/local/credentials.js';

const credentials = generateCredentials();
const body = '{"QueueName":"q"}';

async function signedAt(at: Date) {
  const signer = new SignatureV4({ credentials, region: 'eu-west-1', service: 'sqs', sha256: NodeSha256, applyChecksum: false });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4577,
      path: '/',
      query: {},
      headers: { host: '127.0.0.1:4577', 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.CreateQueue' },
      body,
    },
    { signingDate: at },
  );
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: 'POST', url: '/', headers };
}

const check = async (wire: Awaited<ReturnType<typeof signedAt>>, now: number, b = body) =>
  (await verifySigned(wire, parseSigned(wire), credentials, Buffer.from(b), now))?.reason;

describe('verifySigned', () => {
  const t = Date.UTC(2026, 0, 15, 12, 0, 0);

  it('accepts what the SDK signs, up to 15 minutes either side of now', async () => {
    const wire = await signedAt(new Date(t));
    expect(await check(wire, t)).toBeUndefined();
    expect(await check(wire, t + 14 * 60_000)).toBeUndefined();
    expect(await check(wire, t - 14 * 60_000)).toBeUndefined();
    expect(await check(wire, t + 16 * 60_000)).toBe('expired');
    expect(await check(wire, t - 16 * 60_000)).toBe('expired');
  });

  it('refuses a changed body, header or key', async () => {
    const wire = await signedAt(new Date(t));
    expect(await check(wire, t, '{"QueueName":"other"}')).toBe('badSignature');
    expect(await check({ ...wire, headers: { ...wire.headers, 'x-amz-target': 'AmazonSQS.DeleteQueue' } }, t)).toBe('badSignature');
    const forged = String(wire.headers.authorization).replace(credentials.accessKeyId, 'LSQS0000000000000000');
    const other = { ...wire, headers: { ...wire.headers, authorization: forged } };
    expect(await check(other, t)).toBe('unknownKey');
    expect(await check({ ...wire, headers: { host: '127.0.0.1:4577' } }, t)).toBe('missing');
  });
});

describe('verifySigned checks the payload as AWS does', () => {
  const t = Date.UTC(2026, 0, 15, 12, 0, 0);
  const sha = (b: string) => createHash('sha256').update(b).digest('hex');

  /** A request signed by the SDK's signer for `service`, with `x-amz-content-sha256` set to `declared`. */
  async function signed(service: string, signedBody: string, declared?: string) {
    const signer = new SignatureV4({ credentials, region: 'us-east-1', service, sha256: NodeSha256, applyChecksum: false });
    const headers: Record<string, string> = { host: '127.0.0.1:4577' };
    if (declared !== undefined) headers['x-amz-content-sha256'] = declared;
    const out = await signer.sign(
      { method: 'PUT', protocol: 'http:', hostname: '127.0.0.1', port: 4577, path: '/b/k', query: {}, headers, body: signedBody },
      { signingDate: new Date(t) },
    );
    return { method: 'PUT', url: '/b/k', headers: Object.fromEntries(Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), v])) };
  }
  const verdict = async (wire: Awaited<ReturnType<typeof signed>>, sent: string) =>
    (await verifySigned(wire, parseSigned(wire), credentials, Buffer.from(sent), t))?.reason;

  it('S3: a signed hex hash must be the hash of the body sent', async () => {
    const wire = await signed('s3', 'A', sha('A'));
    expect(await verdict(wire, 'A')).toBeUndefined();
    expect(await verdict(wire, 'B')).toBe('payloadMismatch');
  });

  it('S3: UNSIGNED-PAYLOAD and the streaming modes are taken as declared; anything else, or nothing, is refused', async () => {
    expect(await verdict(await signed('s3', '', 'UNSIGNED-PAYLOAD'), 'whatever')).toBeUndefined();
    expect(await verdict(await signed('s3', '', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'), 'x')).toBeUndefined();
    expect(await verdict(await signed('s3', '', 'not-a-hash'), '')).toBe('badPayloadHeader');
    expect(await verdict(await signed('s3', ''), '')).toBe('badPayloadHeader');
  });

  it('other services hash the body themselves: a declared hash or UNSIGNED-PAYLOAD does not stand in for it', async () => {
    // Signed over body A with A's hash declared, sent with body B and the same header: refused.
    const wire = await signed('sqs', 'A', sha('A'));
    expect(await verdict(wire, 'A')).toBeUndefined();
    expect(await verdict(wire, 'B')).toBe('badSignature');
    expect(await verdict(await signed('sqs', 'A', 'UNSIGNED-PAYLOAD'), 'A')).toBe('badSignature');
  });
});
