/**
 * The local AWS's signature check, without a server: what the SDK's signer produces is
 * accepted, within AWS's 15-minute clock window, and a change to any signed part is not.
 */
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
