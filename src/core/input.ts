/**
 * Reads message bodies from a JSON array or NDJSON text, reporting the line of the
 * first malformed entry so the user can fix the file before anything is sent.
 */
import { UsageError } from './errors.js';

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function toBody(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') {
    throw new UsageError(`${where}: each entry must be a JSON object or a string, not ${value === null ? 'null' : typeof value}`);
  }
  return JSON.stringify(value);
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
      const m = /position (\d+)/.exec((e as Error).message);
      const line = m ? lineOf(text, Number(m[1])) : undefined;
      throw new UsageError(`${source}${line ? `:${line}` : ''}: malformed JSON (${(e as Error).message.split('\n')[0]})`, {
        hint: 'fix the file; nothing was sent',
      });
    }
    if (!Array.isArray(parsed)) throw new UsageError(`${source}: expected a JSON array`);
    return parsed.map((v, i) => toBody(v, `${source} entry ${i}`));
  }
  const bodies: string[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e: unknown) {
      throw new UsageError(`${source}:${i + 1}: malformed JSON line (${(e as Error).message.split('\n')[0]})`, {
        hint: 'each line must be one JSON value (NDJSON); nothing was sent',
      });
    }
    bodies.push(toBody(value, `${source}:${i + 1}`));
  });
  if (bodies.length === 0) throw new UsageError(`${source} has no entries`);
  return bodies;
}
