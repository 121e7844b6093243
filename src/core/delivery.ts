/**
 * What a failed request says about whether the server got it. A request that never left
 * (no connection) or that the server answered with a 4xx did not change anything: a resend
 * is safe. One that got a 5xx, or whose connection broke or timed out once it was written,
 * may have been carried out: the server may hold what was sent. The adapters tag each SDK
 * error with the worst of its attempts (the SDK retries on its own); this reads that tag.
 * Pure: plain error shapes only, no SDK.
 */
import { findCode } from './errors.js';

/** notSent: never reached the server; refused: the server answered no; unknown: it may have been done. */
export type Delivery = 'notSent' | 'refused' | 'unknown';

const RANK: Record<Delivery, number> = { notSent: 0, refused: 1, unknown: 2 };
/** Network codes raised before a byte of the request went out: the connection was never made. */
const BEFORE_CONNECT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** The SDK's own connect timeout (no code, only this message). */
const CONNECT_TIMEOUT = /did not establish a connection/i;
const TAG = 'sqsopsDelivery';

interface ErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

export function worse(a: Delivery, b: Delivery): Delivery {
  return RANK[a] >= RANK[b] ? a : b;
}

/** One attempt's failure, as it came from the transport or the service. */
export function attemptDelivery(e: unknown): Delivery {
  if (!e || typeof e !== 'object') return 'unknown';
  const err = e as ErrorShape;
  const status = err.$metadata?.httpStatusCode ?? err.$response?.statusCode;
  if (typeof status === 'number' && status > 0) return status >= 500 ? 'unknown' : 'refused';
  if (findCode(e, (c) => BEFORE_CONNECT.has(c))) return 'notSent';
  if (err.name === 'TimeoutError' && CONNECT_TIMEOUT.test(String(err.message ?? ''))) return 'notSent';
  // A reset, a timeout once connected, an abort mid-request, or anything unrecognised: it may have arrived.
  return 'unknown';
}

/** Marks an error with what its attempts, taken together, say (adapters only). */
export function tagDelivery(e: unknown, delivery: Delivery): void {
  if (e && typeof e === 'object' && !Object.isFrozen(e)) (e as Record<string, unknown>)[TAG] = delivery;
}

/**
 * What a failed call says, from the tag on the error or on one of its causes (domain errors
 * wrap the SDK's). An untagged error never reached the transport: nothing was sent.
 */
export function deliveryOf(e: unknown, depth = 6): Delivery {
  if (depth <= 0 || !e || typeof e !== 'object') return 'notSent';
  const tag = (e as Record<string, unknown>)[TAG];
  if (tag === 'notSent' || tag === 'refused' || tag === 'unknown') return tag;
  return deliveryOf((e as ErrorShape).cause, depth - 1);
}
