/**
 * What SQS accepts in a message, checked before anything is sent: the characters of a body
 * and of string attribute values, attribute names, types and count, the 1 MiB limit on body
 * plus attributes, and FIFO group and deduplication ids. Each check returns the rule broken,
 * in words a person can act on, or undefined. Pure: no SDK, no I/O.
 */
import { MAX_ATTRIBUTES, MAX_REQUEST_BYTES, messageBytes, type AttributeValueLike } from './batching.js';

/** SQS's allowed characters, as its documentation lists them. */
export const ALLOWED_CHARACTERS = '#x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF';
/** Anything else; with the u flag a lone surrogate is one code point, outside every range. */
const REFUSED_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** FIFO group and deduplication ids: 1-128 of a-z A-Z 0-9 and ASCII punctuation. */
const ID_CHARACTER = /[^\x21-\x7E]/u;
export const MAX_ID_LENGTH = 128;
/** Attribute names: letters, digits, `_ - .`, up to 256; no AWS./Amazon. prefix, no leading, trailing or double period. */
const ATTRIBUTE_NAME = /^[A-Za-z0-9_-](?:[A-Za-z0-9_.-]{0,254}[A-Za-z0-9_-])?$/;
const RESERVED_PREFIX = /^(aws|amazon)\./i;
/** String, Number or Binary, optionally with a custom label (`Number.int`), up to 256 characters. */
const DATA_TYPE = /^(String|Number|Binary)(\.[^\s]+)?$/;

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Whether a string holds a UTF-16 half without its other half (it has no UTF-8 form). */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/**
 * The first character SQS refuses in `text`, described; `what` names the field. A body that
 * goes to S3 (`offloaded`) only needs a UTF-8 form: a lone surrogate is refused, the rest is S3's.
 */
export function characterProblem(text: string, what: string, { offloaded = false } = {}): string | undefined {
  const pattern = offloaded ? LONE_SURROGATE : REFUSED_CHARACTER;
  const m = pattern.exec(text);
  if (!m) return undefined;
  const c = m[0]!;
  const kind = c.length === 1 && c >= '\uD800' && c <= '\uDFFF' ? 'a lone UTF-16 surrogate' : 'the control character';
  return `${what} has ${kind} ${codePoint(c)} at character ${m.index + 1}; SQS accepts only ${ALLOWED_CHARACTERS}`;
}

/** An empty body, or a character SQS refuses in it. */
export function bodyProblem(body: string, options: { offloaded?: boolean } = {}): string | undefined {
  if (body.length === 0) return 'body is empty; SQS needs at least 1 character';
  return characterProblem(body, 'body', options);
}

function attributeProblem(name: string, a: AttributeValueLike): string | undefined {
  const at = `attribute "${name}"`;
  if (!ATTRIBUTE_NAME.test(name) || name.includes('..') || RESERVED_PREFIX.test(name)) {
    return `${at}: SQS takes names of 1-256 letters, digits, "_", "-" and "." (no leading, trailing or double ".", no AWS. or Amazon. prefix)`;
  }
  const type = a.DataType ?? '';
  const base = DATA_TYPE.exec(type)?.[1];
  if (!base || type.length > 256) return `${at}: DataType "${type}" is not String, Number or Binary (with an optional ".label")`;
  if (base === 'Binary') {
    if (!a.BinaryValue || a.BinaryValue.byteLength === 0) return `${at}: a Binary attribute needs a non-empty BinaryValue`;
    return undefined;
  }
  if (a.StringValue === undefined || a.StringValue === '') return `${at}: a ${base} attribute needs a non-empty StringValue`;
  if (base === 'Number' && (a.StringValue.trim() === '' || !Number.isFinite(Number(a.StringValue)))) {
    return `${at}: "${a.StringValue.slice(0, 40)}" is not a number`;
  }
  return characterProblem(a.StringValue, at);
}

/** More than 10 attributes, or the first attribute SQS would refuse. */
export function attributesProblem(attributes: Record<string, AttributeValueLike> | undefined): string | undefined {
  const entries = Object.entries(attributes ?? {});
  if (entries.length > MAX_ATTRIBUTES) return `${entries.length} message attributes; SQS takes at most ${MAX_ATTRIBUTES}`;
  for (const [name, a] of entries) {
    const problem = attributeProblem(name, a);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Body plus attributes over `maxBytes`, counted as SQS counts them (core/batching.ts's
 * messageBytes); `limit` names the cap in the message ("SQS's 1 MiB").
 */
export function sizeProblem(
  body: string,
  attributes: Record<string, AttributeValueLike> | undefined,
  { maxBytes = MAX_REQUEST_BYTES, limit = "SQS's 1 MiB" }: { maxBytes?: number; limit?: string } = {},
): string | undefined {
  const bytes = messageBytes(body, attributes);
  if (bytes <= maxBytes) return undefined;
  const what = Object.keys(attributes ?? {}).length > 0 ? 'body plus attributes is' : 'body is';
  return `${what} ${bytes} bytes, over ${limit} limit`;
}

/** A FIFO group or deduplication id SQS would refuse: missing (a group id), empty, over 128, or a character outside ASCII 33-126. */
export function fifoIdProblem(kind: 'group id' | 'deduplication id', id: string | undefined): string | undefined {
  if (id === undefined) {
    return kind === 'group id' ? 'FIFO: no group id; SQS needs a MessageGroupId of 1-128 characters on a FIFO queue' : undefined;
  }
  if (id === '') return `FIFO: ${kind} is empty; SQS needs 1-${MAX_ID_LENGTH} characters`;
  if (id.length > MAX_ID_LENGTH) return `FIFO: ${kind} is ${id.length} characters; SQS allows 1-${MAX_ID_LENGTH}`;
  const bad = ID_CHARACTER.exec(id);
  if (bad) {
    return `FIFO: ${kind} has ${JSON.stringify(bad[0])} (${codePoint(bad[0]!)}) at character ${bad.index + 1}; SQS allows letters, digits and ASCII punctuation`;
  }
  return undefined;
}
