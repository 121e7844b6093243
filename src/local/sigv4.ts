/**
 * Checks an incoming request's AWS Signature Version 4 against the local AWS's one key,
 * in both forms the SDKs and the AWS CLI send: the `Authorization: AWS4-HMAC-SHA256 ...`
 * header and the presigned query (`X-Amz-Signature`). The canonical request and signing
 * key are built by the SDK's own signer (@smithy/signature-v4), so what we accept is
 * exactly what the SDK produces; we only pick the parts out of the wire form.
 *
 * The payload is checked as AWS checks it. SQS, SNS, STS and DynamoDB sign the SHA-256 of the
 * body itself, whatever an `x-amz-content-sha256` header says, so a replayed signature with
 * another body does not match. S3 takes the header: a hex hash must be the body's (else
 * `XAmzContentSHA256Mismatch`), `UNSIGNED-PAYLOAD` and the streaming modes are S3's alone, and
 * a signed header request without it is refused. Signed streaming uploads are checked chunk
 * by chunk (chunkSignatures.ts).
 */
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4, getCanonicalHeaders, getSigningKey } from '@smithy/signature-v4';
import type { HttpRequest, QueryParameterBag, SourceData } from '@smithy/types';
import type { LocalCredentials } from './credentials.js';
import { chunkChainProblem } from './chunkSignatures.js';

/** AWS accepts a request dated up to 15 minutes from its own clock. */
const MAX_SKEW_MS = 15 * 60_000;
const ALGORITHM = 'AWS4-HMAC-SHA256';
const AUTH_RE = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;
const DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export interface SignedParts {
  accessKeyId: string;
  region: string;
  service: string;
  shortDate: string;
  longDate: string;
  signedHeaders: string[];
  signature: string;
  /** Seconds a presigned URL is valid; undefined for the header form. */
  expires?: number;
}

export type Denial = {
  reason:
    | 'missing'
    | 'unknownKey'
    | 'badSignature'
    /** A header-signed request outside the 15-minute clock window. */
    | 'expired'
    /** A presigned URL past its X-Amz-Expires. */
    | 'presignExpired'
    /** Signed for another service, or a region the request does not address. */
    | 'wrongScope'
    /** S3: the body is not the one whose hash was signed. */
    | 'payloadMismatch'
    /** S3: the payload header is missing or not one S3 knows. */
    | 'badPayloadHeader';
  message: string;
};

/** The payload modes S3 accepts in `x-amz-content-sha256` besides a hex SHA-256. */
const S3_PAYLOAD_MODES = new Set([
  'UNSIGNED-PAYLOAD',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
]);
const HEX_SHA256_RE = /^[0-9a-f]{64}$/;

interface Wire {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Node's sha256 and HMAC-SHA256 in the shape the SDK signer takes. */
export class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    return createHmac('sha256', typeof this.secret === 'string' ? this.secret : Buffer.from(this.secret as Uint8Array));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** Exposes the signer's canonical request and string to sign (protected in the SDK). */
class Verifier extends SignatureV4 {
  canonicalRequest(request: HttpRequest, headers: Record<string, string>, payloadHash: string): string {
    return this.createCanonicalRequest(request, headers, payloadHash);
  }
  stringToSign(longDate: string, scope: string, canonical: string): Promise<string> {
    return this.createStringToSign(longDate, scope, canonical, ALGORITHM);
  }
}

function splitUrl(url: string): { path: string; query: QueryParameterBag } {
  const at = url.indexOf('?');
  const path = at < 0 ? url : url.slice(0, at);
  const query: QueryParameterBag = {};
  if (at >= 0) {
    for (const pair of url.slice(at + 1).split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      const key = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
      const value = eq < 0 ? '' : safeDecode(pair.slice(eq + 1));
      const prev = query[key];
      query[key] = prev === undefined || prev === null ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
    }
  }
  return { path: path || '/', query };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function header(wire: Wire, name: string): string | undefined {
  const v = wire.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function first(q: QueryParameterBag, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[0] : (v ?? undefined);
}

function fromCredential(credential: string, longDate: string, signedHeaders: string, signature: string): SignedParts | undefined {
  const [accessKeyId, shortDate, region, service, terminator, ...rest] = credential.split('/');
  if (!accessKeyId || !shortDate || !region || !service || terminator !== 'aws4_request' || rest.length) return undefined;
  return { accessKeyId, shortDate, region, service, longDate, signedHeaders: signedHeaders.split(';'), signature };
}

/** The signature's parts from the header or the presigned query; undefined when unsigned. */
export function parseSigned(wire: Wire): SignedParts | undefined {
  const auth = header(wire, 'authorization');
  if (auth) {
    const m = AUTH_RE.exec(auth.trim());
    if (!m) return undefined;
    return fromCredential(m[1]!, header(wire, 'x-amz-date') ?? '', m[2]!, m[3]!);
  }
  const { query } = splitUrl(wire.url);
  if (first(query, 'X-Amz-Algorithm') !== ALGORITHM) return undefined;
  const parts = fromCredential(
    first(query, 'X-Amz-Credential') ?? '',
    first(query, 'X-Amz-Date') ?? '',
    first(query, 'X-Amz-SignedHeaders') ?? '',
    first(query, 'X-Amz-Signature') ?? '',
  );
  if (parts) parts.expires = Number(first(query, 'X-Amz-Expires') ?? '0');
  return parts;
}

/** True when the body must be read to check the signature (all but presigned URLs and S3's unsigned or streaming modes). */
export function needsBody(wire: Wire, parts: SignedParts): boolean {
  if (parts.expires !== undefined) return false;
  return parts.service !== 's3' || !UNSIGNED_MODES.has(header(wire, 'x-amz-content-sha256') ?? '');
}

/** S3's modes whose body carries no signature at all; the signed streaming ones are checked chunk by chunk. */
const UNSIGNED_MODES = new Set(['UNSIGNED-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER']);

const sha256Hex = (body: Buffer | undefined) =>
  createHash('sha256')
    .update(body ?? Buffer.alloc(0))
    .digest('hex');

/** The payload hash the canonical request uses, or why the payload is refused. */
function payloadHash(wire: Wire, parts: SignedParts, body: Buffer | undefined): string | Denial {
  if (parts.expires !== undefined) return parts.service === 's3' ? 'UNSIGNED-PAYLOAD' : sha256Hex(body);
  if (parts.service !== 's3') return sha256Hex(body);
  const declared = header(wire, 'x-amz-content-sha256');
  if (declared === undefined) {
    return { reason: 'badPayloadHeader', message: 'Missing required header for this request: x-amz-content-sha256' };
  }
  if (S3_PAYLOAD_MODES.has(declared)) return declared;
  if (!HEX_SHA256_RE.test(declared)) {
    return {
      reason: 'badPayloadHeader',
      message: `x-amz-content-sha256 must be ${[...S3_PAYLOAD_MODES].join(', ')}, or a valid sha256 value.`,
    };
  }
  if (sha256Hex(body) !== declared) {
    return { reason: 'payloadMismatch', message: "The provided 'x-amz-content-sha256' header does not match what was computed." };
  }
  return declared;
}

function dateOf(longDate: string): number | undefined {
  const m = DATE_RE.exec(longDate);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
}

/** Undefined when the request is signed with `credentials`; otherwise why not. */
export async function verifySigned(
  wire: Wire,
  parts: SignedParts | undefined,
  credentials: LocalCredentials,
  body: Buffer | undefined,
  now = Date.now(),
): Promise<Denial | undefined> {
  if (!parts) return { reason: 'missing', message: 'Request is missing Authentication Token' };
  if (parts.accessKeyId !== credentials.accessKeyId) {
    return { reason: 'unknownKey', message: 'The security token included in the request is invalid.' };
  }
  const at = dateOf(parts.longDate);
  if (at === undefined || parts.longDate.slice(0, 8) !== parts.shortDate) {
    return { reason: 'badSignature', message: 'The request date is missing or does not match the credential scope.' };
  }
  // A presigned URL is good until its expiry; a signed header within the skew either side of now.
  if (parts.expires !== undefined && now > at + parts.expires * 1000) {
    return { reason: 'presignExpired', message: 'Request has expired' };
  }
  if (parts.expires === undefined ? Math.abs(now - at) > MAX_SKEW_MS : at - now > MAX_SKEW_MS) {
    return { reason: 'expired', message: `Signature expired or not yet valid: ${parts.longDate}, now ${new Date(now).toISOString()}` };
  }
  const hash = payloadHash(wire, parts, body);
  if (typeof hash !== 'string') return hash;

  const { path, query } = splitUrl(wire.url);
  const signedHeaders: Record<string, string> = {};
  for (const name of parts.signedHeaders) signedHeaders[name] = header(wire, name) ?? '';
  const verifier = new Verifier({
    credentials,
    region: parts.region,
    service: parts.service,
    sha256: NodeSha256,
    // S3 signs the path as sent; every other service signs it encoded once more.
    uriEscapePath: parts.service !== 's3',
    applyChecksum: false,
  });
  const request = { method: wire.method, protocol: 'http:', hostname: '', path, query, headers: signedHeaders } as HttpRequest;
  const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(parts.signedHeaders));
  const scope = `${parts.shortDate}/${parts.region}/${parts.service}/aws4_request`;
  const toSign = await verifier.stringToSign(parts.longDate, scope, verifier.canonicalRequest(request, canonicalHeaders, hash));
  const key = await getSigningKey(NodeSha256, credentials, parts.shortDate, parts.region, parts.service);
  const expected = createHmac('sha256', Buffer.from(key)).update(toSign).digest();
  const given = Buffer.from(parts.signature, 'hex');
  const mismatch = 'The request signature we calculated does not match the signature you provided.';
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { reason: 'badSignature', message: `${mismatch} Check your AWS Secret Access Key and signing method.` };
  }
  if (!hash.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD')) return undefined;
  const chain = { longDate: parts.longDate, scope, signingKey: key, seed: parts.signature };
  const problem = chunkChainProblem(body ?? Buffer.alloc(0), chain, hash.endsWith('-TRAILER'));
  return problem ? { reason: 'badSignature', message: `${mismatch} (${problem})` } : undefined;
}
