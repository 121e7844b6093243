/**
 * Reads message bodies from a JSON array or NDJSON text, reporting the line of the
 * first malformed entry so the user can fix the file before anything is sent.
 */
import { UsageError } from './errors.js';
import { jsonLines } from './jsonLines.js';
import { isKnownRecord } from './messageRecord.js';

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Where a JSON document that JSON.parse refused goes wrong: `source:line`, or `source` when unknown. */
export function jsonErrorAt(text: string, source: string): string {
  const offset = jsonErrorOffset(text);
  return offset >= 0 ? `${source}:${lineOf(text, offset)}` : source;
}

/** JSON.parse's complaint, short enough for a one-line error. */
export const parseError = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 80);

/**
 * Where JSON.parse gave up. V8's messages only sometimes carry a position, so this
 * re-reads the text with a small validator that stops at the first offending byte.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += m![0].length;
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (offset: unknown) {
    return typeof offset === 'number' ? offset : -1;
  }
}

function toBody(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') {
    throw new UsageError(`${where}: each entry must be a JSON object or a string, not ${value === null ? 'null' : typeof value}`);
  }
  // Sent as a body, an export record would arrive as its whole JSON: a mixed file is a mistake, said before anything is sent.
  if (isKnownRecord(value, where)) {
    throw new UsageError(`${where}: a sqsops.message record in a file of plain bodies; export files hold records only`, {
      hint: 'keep exports and plain bodies in separate files; nothing was sent',
    });
  }
  return JSON.stringify(value);
}

/**
 * Decodes UTF-8 strictly: a byte sequence that is not UTF-8 is refused with its line,
 * instead of becoming U+FFFD in a message body where nobody would see the damage.
 */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Find the first bad sequence: decode growing prefixes of the first line that fails.
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 10) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, i));
        } catch {
          break;
        }
        line++;
        start = i + 1;
      }
    }
    throw new UsageError(`${source}:${line}: not UTF-8 text (invalid byte sequence)`, {
      hint: 'convert the file to UTF-8 (for example `iconv -f latin1 -t utf-8`); nothing was sent',
    });
  }
}

/** Returns one body per entry: objects are serialised, strings are sent as they are. */
export function parseBodies(text: string, source: string): string[] {
  const start = text.search(/\S/);
  if (start === -1) throw new UsageError(`${source} is empty`, { hint: 'give a JSON array or one JSON value per line (NDJSON)' });
  if (text[start] === '[') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e: unknown) {
      throw new UsageError(`${jsonErrorAt(text, source)}: malformed JSON (${parseError(e)})`, {
        hint: 'fix the file; nothing was sent',
      });
    }
    if (!Array.isArray(parsed)) throw new UsageError(`${source}: expected a JSON array`);
    return parsed.map((v, i) => toBody(v, `${source} entry ${i}`));
  }
  const bodies = jsonLines(text, source, 'each line must be one JSON value (NDJSON); nothing was sent', toBody);
  if (bodies.length === 0) throw new UsageError(`${source} has no entries`);
  return bodies;
}
