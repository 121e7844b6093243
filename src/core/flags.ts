/** Parsers for flag values: each returns the value or throws a one-line UsageError. */
import { UsageError } from './errors.js';

export function parseIntFlag(flag: string, raw: string | number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
  // Digits only: Number() would also take 0x50 (80), 1e3 and 0b1, which nobody means as a count or a port.
  const text = String(raw).trim();
  const n = typeof raw === 'number' ? raw : /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER && !(n > max) ? `${min} or more` : `from ${min} to ${max}`;
    throw new UsageError(`${flag} must be a whole number ${range}, not "${raw}"`);
  }
  return n;
}

export function parseRatioFlag(flag: string, raw: string | number): number {
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (String(raw).trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new UsageError(`${flag} must be a ratio from 0 to 1 (e.g. 0.1 for 10%), not "${raw}"`);
  }
  return n;
}

export function parseChoiceFlag<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`${flag} must be one of ${choices.join(', ')}, not "${raw}"`);
}

/** A file or folder path: an empty or blank one is refused before anything runs (it would name no file at all). */
export function parsePathFlag(flag: string, raw: string): string {
  if (raw.trim() === '') throw new UsageError(`${flag} is empty: give it a path (a file or folder name)`);
  return raw;
}
