/**
 * The front door of the local AWS: every request must be signed with its credentials
 * before fauxqs or dynalite sees it. A request that is not gets the access-denied answer
 * of the service it was meant for, in that service's wire shape, so SDKs and the AWS CLI
 * raise their usual error (UnrecognizedClientException, InvalidClientTokenId,
 * SignatureDoesNotMatch, InvalidAccessKeyId ...), which sqsops translates like real AWS's.
 */
import http from 'node:http';
import type { LocalCredentials } from './credentials.js';
import { needsBody, parseSigned, verifySigned, type Denial } from './sigv4.js';
import { addressed, routeOf, scopeDenial, type Route } from './scope.js';
import { signedRegion } from './fauxqsRegions.js';

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A signed body larger than this is refused before it is buffered (DynamoDB's largest call is 16 MB). */
const MAX_SIGNED_BODY = 32 * 1024 * 1024;

const JSON_TYPES: Record<Denial['reason'], string> = {
  missing: 'MissingAuthenticationTokenException',
  unknownKey: 'UnrecognizedClientException',
  badSignature: 'InvalidSignatureException',
  expired: 'InvalidSignatureException',
  presignExpired: 'InvalidSignatureException',
  wrongScope: 'InvalidSignatureException',
  payloadMismatch: 'InvalidSignatureException',
  badPayloadHeader: 'InvalidSignatureException',
};
const QUERY_CODES: Record<Denial['reason'], string> = {
  missing: 'MissingAuthenticationToken',
  unknownKey: 'InvalidClientTokenId',
  badSignature: 'SignatureDoesNotMatch',
  expired: 'SignatureDoesNotMatch',
  presignExpired: 'SignatureDoesNotMatch',
  wrongScope: 'SignatureDoesNotMatch',
  payloadMismatch: 'SignatureDoesNotMatch',
  badPayloadHeader: 'SignatureDoesNotMatch',
};
/** S3's code and status for each refusal, as S3 answers them. */
const S3_ANSWERS: Record<Denial['reason'], [code: string, status: number]> = {
  missing: ['AccessDenied', 403],
  unknownKey: ['InvalidAccessKeyId', 403],
  badSignature: ['SignatureDoesNotMatch', 403],
  expired: ['RequestTimeTooSkewed', 403],
  presignExpired: ['AccessDenied', 403],
  wrongScope: ['AuthorizationHeaderMalformed', 400],
  payloadMismatch: ['XAmzContentSHA256Mismatch', 400],
  badPayloadHeader: ['InvalidArgument', 400],
};

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function deny(req: http.IncomingMessage, res: http.ServerResponse, route: Route, denial: Denial): void {
  const requestId = crypto.randomUUID();
  res.setHeader('x-amzn-requestid', requestId);
  if (route === 'sqs' || route === 'dynamodb' || route === 'cloudwatch') {
    // SQS's and CloudWatch's JSON protocols also carry the query-protocol code, as the real services do.
    const queryCompatible = route !== 'dynamodb';
    if (queryCompatible) res.setHeader('x-amzn-query-error', `${QUERY_CODES[denial.reason]};Sender`);
    res.writeHead(queryCompatible ? 403 : 400, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ __type: `com.amazon.coral.service#${JSON_TYPES[denial.reason]}`, message: denial.message }));
  } else if (route === 'query') {
    res.writeHead(403, { 'content-type': 'text/xml' });
    res.end(
      `<ErrorResponse><Error><Type>Sender</Type><Code>${QUERY_CODES[denial.reason]}</Code><Message>${xml(denial.message)}</Message>` +
        `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  } else {
    const [code, status] = S3_ANSWERS[denial.reason];
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
        `<Message>${xml(denial.message)}</Message><RequestId>${requestId}</RequestId></Error>`,
    );
  }
  // The body is not wanted: drop it rather than read it.
  if (!req.complete) req.resume();
}

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_SIGNED_BODY) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(c);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/**
 * A stand-in for a request whose body we already read: same socket, method, URL and
 * headers, and the body again, so fauxqs (fastify) and dynalite read it as usual.
 */
function replay(req: http.IncomingMessage, body: Buffer): http.IncomingMessage {
  const copy = new http.IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.headers = req.headers;
  copy.rawHeaders = req.rawHeaders;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  // Complete: an IncomingMessage destroyed after its end without it takes the socket down with it.
  copy.complete = true;
  copy.push(body);
  copy.push(null);
  return copy;
}

/** Wraps `next` so that only requests signed with `credentials` reach it. */
export function requireSignature(credentials: LocalCredentials, next: Listener): Listener {
  return (req, res) => {
    const wire = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
    const parts = parseSigned(wire);
    const route = routeOf(wire.method, wire.url, req.headers);
    const run = async (): Promise<void> => {
      const wantBody = parts !== undefined && parts.accessKeyId === credentials.accessKeyId && needsBody(wire, parts);
      const body = wantBody ? await readBody(req) : undefined;
      if (wantBody && body === undefined) {
        res.writeHead(413).end();
        return;
      }
      const denial = (await verifySigned(wire, parts, credentials, body)) ?? (parts && scopeDenial(parts, addressed(route, body)));
      if (denial) deny(req, res, route, denial);
      else signedRegion.run(parts!.region, () => next(body ? replay(req, body) : req, res));
    };
    run().catch(() => {
      if (!res.headersSent) res.writeHead(400).end();
      else res.destroy();
    });
  };
}
