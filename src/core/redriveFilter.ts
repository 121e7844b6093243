/**
 * `redrive-dlq --filter`: which DLQ messages to move. Each expression names a body field
 * (`body.orderId=abc`, dotted paths into JSON) or a message attribute
 * (`attr.eventType=OrderCreated`) and compares it as a string with `=` or `!=`; every
 * expression must hold. Pure: no SQS types, so it is tested without servers.
 */
import { UsageError } from './errors.js';
import { getPath } from './keys.js';

/** What a filter looks at: the raw body and the message attributes' string values. */
export interface FilterSubject {
  body: string;
  attributes: Record<string, { StringValue?: string | undefined; DataType?: string | undefined }>;
}

export type MessageFilter = (m: FilterSubject) => boolean;

interface Clause {
  source: 'body' | 'attr';
  path: string;
  value: string;
  negate: boolean;
}

const EXPR_RE = /^(body|attr)\.([^=!]+?)(!?=)(.*)$/s;
const FILTER_HINT = 'write body.<field>=<value> (dotted paths into a JSON body) or attr.<name>=<value>; != negates';

export function parseFilterExpression(expr: string): Clause {
  const m = EXPR_RE.exec(expr.trim());
  if (!m) throw new UsageError(`--filter "${expr}" is not a filter expression`, { hint: FILTER_HINT });
  const [, source, path, op, value] = m;
  if (!path!.trim() || path!.split('.').some((p) => p === ''))
    throw new UsageError(`--filter "${expr}" names no field`, { hint: FILTER_HINT });
  return { source: source as Clause['source'], path: path!.trim(), value: value!, negate: op === '!=' };
}

/** A body field as text: strings as they are, numbers and booleans as JSON writes them; objects never match. */
function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return JSON.stringify(v);
  return undefined;
}

/** Compiles every `--filter` into one predicate (all must hold); undefined when there are none. */
export function compileFilter(expressions: readonly string[] | undefined): MessageFilter | undefined {
  if (!expressions || expressions.length === 0) return undefined;
  const clauses = expressions.map(parseFilterExpression);
  return (m) => {
    let parsed: unknown;
    let parsedOnce = false;
    return clauses.every((c) => {
      let actual: string | undefined;
      if (c.source === 'attr') {
        actual = m.attributes[c.path]?.StringValue;
      } else {
        if (!parsedOnce) {
          parsedOnce = true;
          try {
            parsed = JSON.parse(m.body);
          } catch {
            parsed = undefined; // a body that is not JSON has no fields: body.* never equals anything
          }
        }
        actual = scalarText(getPath(parsed, c.path));
      }
      const equal = actual !== undefined && actual === c.value;
      return c.negate ? !equal : equal;
    });
  };
}
