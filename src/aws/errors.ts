/**
 * Translation of SDK and network failures into errors a person can act on. Only
 * adapters call this; `core/` never sees an SDK error.
 */
import { AccessError, EndpointError, networkCode, UsageError, SqsopsError } from '../core/errors.js';

interface SdkLike {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { requestId?: string; httpStatusCode?: number };
  cause?: unknown;
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
  const context = { service: where.service, ...(requestId ? { requestId } : {}) };
  const name = err.name ?? '';
  const message = err.message ?? '';
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new AccessError('no AWS credentials found', {
      hint: 'set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or unset SQSOPS_TARGET to use the embedded local AWS',
      cause: e,
      context,
    });
  }
  if (/Region is missing/i.test(message)) {
    return new UsageError('no AWS region configured', { hint: 'pass --region or set AWS_REGION', cause: e });
  }
  if (AUTH_ERRORS.has(name)) {
    return new AccessError(`AWS rejected the credentials (${name})`, {
      hint: 'check AWS_PROFILE / AWS_ACCESS_KEY_ID, and refresh expired session credentials',
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
  if (code) {
    return new EndpointError(`cannot reach ${where.service}${where.endpoint ? ` at ${where.endpoint}` : ''} (${code})`, {
      hint: where.endpoint?.includes('127.0.0.1')
        ? 'is the local AWS running? see `sqsops local status`'
        : 'check --endpoint-url / AWS_ENDPOINT_URL and your network',
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
