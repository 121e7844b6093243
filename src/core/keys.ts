/**
 * Idempotency keys. By default a message's key is its SQS MessageId (catches
 * redeliveries); a business key from the body (`orderId`, `order.id`, or a template
 * `{orderId}#{version}`) also catches a producer's resend of the same event.
 */
import { UsageError } from './errors.js';

export interface KeySource {
  messageId: string;
  /** The parsed body; undefined when the body is not JSON. */
  body: unknown;
}

export type KeyResult = { ok: true; key: string } | { ok: false; reason: string };
export type KeyFn = (source: KeySource) => KeyResult;

const PATH_RE = /^[A-Za-z_$][\w$-]*(\.[\w$-]+)*$/;

export function getPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Compiles `--key`; throws a UsageError for a spec that can never work. */
export function compileKey(spec: string | undefined): KeyFn {
  if (spec === undefined || spec === '' || spec === 'messageId') {
    return ({ messageId }) => ({ ok: true, key: messageId });
  }
  if (spec.includes('{')) {
    const fields = [...spec.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');
    const leftover = spec.replace(/\{[^{}]*\}/g, '');
    if (fields.length === 0 || leftover.includes('{') || leftover.includes('}') || fields.some((f) => !PATH_RE.test(f))) {
      throw new UsageError(`--key template "${spec}" is malformed`, { hint: 'use fields in braces, e.g. "{orderId}#{version}"' });
    }
    return ({ body }) => {
      let out = spec;
      for (const field of fields) {
        const v = scalar(getPath(body, field));
        if (v === undefined) return { ok: false, reason: `key field "${field}" is missing or not a scalar` };
        out = out.replace(`{${field}}`, v);
      }
      return { ok: true, key: out };
    };
  }
  if (!PATH_RE.test(spec)) {
    throw new UsageError(`--key "${spec}" is not a field path`, {
      hint: 'use a field such as orderId or order.id, or a template "{orderId}#{version}"',
    });
  }
  return ({ body }) => {
    const v = scalar(getPath(body, spec));
    return v === undefined ? { ok: false, reason: `key field "${spec}" is missing or not a scalar` } : { ok: true, key: v };
  };
}
