/**
 * Translation of SDK and network failures into errors a person can act on. Only
 * adapters call this; `core/` never sees an SDK error.
 */
import { AccessError, EndpointError, networkCode, UsageError, SqsopsError } from '../core/errors.js';
import { redactUrl } from '../core/redact.js';
import { proxyLabel } from '../core/proxy.js';

interface SdkLike {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { requestId?: string; httpStatusCode?: number };
  $response?: { statusCode?: number; headers?: Record<string, string> };
  cause?: unknown;
  /** Set by the clients (clients.ts) on every error they raise: which target answered. */
  sqsopsTarget?: 'local' | 'aws';
  /** Set by the clients when the call went through a forward proxy (HTTPS_PROXY / HTTP_PROXY). */
  sqsopsProxy?: string;
}

/** Tags an SDK error with the target it came from (and the proxy it went through), so its message can speak of them. */
export function tagTarget(e: unknown, kind: 'local' | 'aws', proxy?: string): void {
  if (!e || typeof e !== 'object' || Object.isFrozen(e)) return;
  (e as SdkLike).sqsopsTarget = kind;
  if (proxy) (e as SdkLike).sqsopsProxy = proxy;
}

/** Codes of a connection that never opened: through a proxy, the only connection we open is to the proxy. */
const NO_CONNECTION = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);
const PROXY_HINT = 'check HTTPS_PROXY / HTTP_PROXY, or list the host in NO_PROXY to connect directly';

/** A failure of the proxy a call went through, said as such (the proxy named, its credentials masked). */
function proxyError(err: SdkLike, code: string | undefined, where: { service: string; endpoint?: string }): SqsopsError | undefined {
  const proxy = err.sqsopsProxy;
  if (!proxy) return undefined;
  const label = proxyLabel(proxy);
  const at = where.endpoint ? ` at ${where.endpoint}` : '';
  const context = { service: where.service, proxy: label };
  if (code && NO_CONNECTION.has(code)) {
    return new EndpointError(`cannot reach the proxy ${label} (${code})`, { hint: PROXY_HINT, cause: err, context });
  }
  if (code)
    return new EndpointError(`cannot reach ${where.service}${at} through the proxy ${label} (${code})`, {
      hint: PROXY_HINT,
      cause: err,
      context,
    });
  const status = err.$response?.statusCode ?? err.$metadata?.httpStatusCode;
  if (status === 407) {
    return new AccessError(`the proxy ${label} wants credentials (HTTP 407)`, {
      hint: 'give them in the proxy URL: HTTPS_PROXY=http://user:password@host:port',
      cause: err,
      context,
    });
  }
  const foreign = foreignAnswer(err);
  if (!foreign) return undefined;
  return new EndpointError(`${where.service}${at} did not answer through the proxy ${label} (${foreign})`, {
    hint: `the proxy may refuse or fail to reach ${where.endpoint ? 'that endpoint' : 'AWS'}: ${PROXY_HINT}`,
    cause: err,
    context,
  });
}

/**
 * An answer that is not the service's protocol (an HTML page, a proxy's error, another
 * program on that port): the SDK reports it as a deserialization failure or an unknown
 * error with only an HTTP status. Returns what answered, in a few words, or undefined.
 */
function foreignAnswer(err: SdkLike): string | undefined {
  const status = err.$response?.statusCode ?? err.$metadata?.httpStatusCode;
  const garbled = /Deserialization error|is not valid JSON|Unexpected token|non-whitespace|Invalid character/i;
  const deserialization = garbled.test(err.message ?? '');
  if (!deserialization && !(['Unknown', 'UnknownError'].includes(err.name ?? '') && status)) return undefined;
  const type = err.$response?.headers?.['content-type']?.split(';')[0];
  const snippet = /"([^"]*)"\.\.\. is not valid JSON/.exec(err.message ?? '')?.[1];
  return [status ? `HTTP ${status}` : 'a reply', type, snippet ? `starting ${JSON.stringify(snippet)}` : ''].filter(Boolean).join(', ');
}

const AUTH_ERRORS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'ExpiredToken',
  'ExpiredTokenException',
  'IncompleteSignature',
  'InvalidAccessKeyId',
  'MissingAuthenticationToken',
]);
const DENIED_ERRORS = new Set(['AccessDenied', 'AccessDeniedException', 'AuthorizationError', 'KMS.AccessDeniedException']);

/**
 * Returns a domain error for failures that mean the same on every service
 * (credentials, permissions, region, network), or undefined to let the caller
 * decide (rethrow untouched).
 */
export function translateCommonError(e: unknown, where: { service: string; endpoint?: string }): SqsopsError | undefined {
  if (e instanceof SqsopsError) return e;
  if (!e || typeof e !== 'object') return undefined;
  const err = e as SdkLike;
  const requestId = err.$metadata?.requestId;
  const context = { service: where.service, requestId };
  const name = err.name ?? '';
  const message = err.message ?? '';
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    // Naming SQSOPS_TARGET helps only the person who set it; anyone else would go looking for it.
    const forced = process.env.SQSOPS_TARGET ? ', or unset SQSOPS_TARGET to use the embedded local AWS' : '';
    return new AccessError('no AWS credentials found', {
      hint: `set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY${forced}`,
      cause: e,
      context,
    });
  }
  if (/Region is missing/i.test(message)) {
    return new UsageError('no AWS region configured', { hint: 'pass --region or set AWS_REGION', cause: e });
  }
  // Signed right, for the wrong region or service: the region configured is not the resource's.
  const scope = /Credential should be scoped to (?:region '([a-z0-9-]+)'|.*)/.exec(message);
  if (AUTH_ERRORS.has(name) && scope) {
    return new UsageError(`${where.service} refused the request: ${message.trim()}`, {
      hint: scope[1]
        ? `run with --region ${scope[1]} (or AWS_REGION=${scope[1]}), the region it is in`
        : 'check --region / AWS_REGION: it must be the region the queue, topic or table is in',
      cause: e,
      context,
    });
  }
  if (AUTH_ERRORS.has(name)) {
    // Locally the only credentials are the state dir's: they changed under a running daemon.
    const local = err.sqsopsTarget === 'local';
    return new AccessError(local ? `the local AWS rejected the credentials (${name})` : `AWS rejected the credentials (${name})`, {
      hint: local
        ? 'it still holds the credentials it started with (was local/credentials.json replaced?): run `sqsops local stop`, then retry'
        : 'check AWS_PROFILE / AWS_ACCESS_KEY_ID, and refresh expired session credentials',
      cause: e,
      context,
    });
  }
  if (DENIED_ERRORS.has(name)) {
    return new AccessError(`not allowed: ${message.split('\n')[0]}`, {
      hint: `grant the caller the ${where.service} permission named above`,
      cause: e,
      context,
    });
  }
  const code = networkCode(err);
  const viaProxy = proxyError(err, code, where);
  if (viaProxy) return viaProxy;
  if (code) {
    let hint = 'check your network and the region';
    if (err.sqsopsTarget === 'local') hint = 'is the local AWS running? see `sqsops local status`';
    else if (where.endpoint) hint = `is a service listening at ${redactUrl(where.endpoint)}? check --endpoint-url / AWS_ENDPOINT_URL`;
    const at = where.endpoint ? ` at ${where.endpoint}` : '';
    return new EndpointError(`cannot reach ${where.service}${at} (${code})`, { hint, cause: e, context });
  }
  const foreign = foreignAnswer(err);
  if (foreign) {
    const at = where.endpoint ? ` at ${where.endpoint}` : '';
    return new EndpointError(`the endpoint${at} did not answer as ${where.service} (${foreign})`, {
      hint: where.endpoint
        ? 'point --endpoint-url / AWS_ENDPOINT_URL at an AWS-compatible service'
        : 'check the region and any proxy in between',
      cause: e,
      context,
    });
  }
  return undefined;
}

export function sdkErrorName(e: unknown): string {
  return e && typeof e === 'object' ? String((e as SdkLike).name ?? '') : '';
}

export function sdkErrorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
