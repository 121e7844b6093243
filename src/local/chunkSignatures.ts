/**
 * S3's signed streaming uploads (`x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD`
 * and its `-TRAILER` form): the request's own signature covers only the headers and seeds a
 * chain, and each `aws-chunked` chunk carries a signature over its data and the one before.
 * AWS checks every link; so does the local AWS, on the whole body, before S3 sees it.
 *
 *   <hex size>;chunk-signature=<sig>\r\n<data>\r\n ... 0;chunk-signature=<sig>\r\n
 *   [trailer headers\r\n x-amz-trailer-signature:<sig>\r\n] \r\n
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');
const SIZE_LINE_RE = /^([0-9a-fA-F]+);chunk-signature=([0-9a-f]{64})$/;

export interface ChainStart {
  longDate: string;
  /** `<date>/<region>/<service>/aws4_request` */
  scope: string;
  signingKey: Uint8Array;
  /** The request's own (seed) signature. */
  seed: string;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function sign(start: ChainStart, kind: 'PAYLOAD' | 'TRAILER', previous: string, ...hashes: string[]): Buffer {
  const toSign = [`AWS4-HMAC-SHA256-${kind}`, start.longDate, start.scope, previous, ...hashes].join('\n');
  return createHmac('sha256', Buffer.from(start.signingKey)).update(toSign).digest();
}

const same = (given: string, expected: Buffer) => {
  const g = Buffer.from(given, 'hex');
  return g.length === expected.length && timingSafeEqual(g, expected);
};

/** Undefined when every chunk (and the trailer, if `trailer`) is signed in the chain; otherwise what is wrong. */
export function chunkChainProblem(body: Buffer, start: ChainStart, trailer: boolean): string | undefined {
  let previous = start.seed;
  let offset = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', offset);
    if (eol < 0) return 'the chunked body ends before its last chunk';
    const m = SIZE_LINE_RE.exec(body.subarray(offset, eol).toString('latin1'));
    if (!m) return 'a chunk header is not <size>;chunk-signature=<signature>';
    const size = Number.parseInt(m[1]!, 16);
    const data = body.subarray(eol + 2, eol + 2 + size);
    if (data.length !== size) return 'a chunk is shorter than its size';
    if (!same(m[2]!, sign(start, 'PAYLOAD', previous, EMPTY_SHA256, sha256(data)))) return 'a chunk signature does not match';
    previous = m[2]!;
    offset = eol + 2 + size;
    if (size === 0) break;
    if (body.toString('latin1', offset, offset + 2) !== '\r\n') return 'a chunk is longer than its size';
    offset += 2;
  }
  const rest = body.toString('latin1', offset);
  if (!trailer) return rest === '\r\n' || rest === '' ? undefined : 'data follows the last chunk';
  // The trailer: header lines, then the signature over them (each "name:value\n").
  const lines = rest.split('\r\n').filter((l) => l !== '');
  const sigLine = lines.pop();
  const sig = /^x-amz-trailer-signature:([0-9a-f]{64})$/.exec(sigLine ?? '')?.[1];
  if (!sig) return 'the trailer has no x-amz-trailer-signature';
  const canonical = lines.map((l) => `${l.trim()}\n`).join('');
  return same(sig, sign(start, 'TRAILER', previous, sha256(canonical))) ? undefined : 'the trailer signature does not match';
}
