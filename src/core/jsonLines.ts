/**
 * Reading NDJSON: one JSON value per line, blank lines skipped, each value with its
 * `file:line`. A malformed line is a usage error naming that line, before anything is sent.
 */
import { UsageError } from './errors.js';

/**
 * Every non-blank line, parsed and read by `read` in order (so the first bad line, of
 * either kind, is the one named); `hint` says what a line must be.
 */
export function jsonLines<T>(text: string, source: string, hint: string, read: (value: unknown, where: string) => T): T[] {
  const out: T[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${source}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e: unknown) {
      throw new UsageError(`${where}: malformed JSON line (${(e as Error).message.split('\n')[0]})`, { hint });
    }
    out.push(read(value, where));
  });
  return out;
}
