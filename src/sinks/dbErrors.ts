/**
 * Is a database failure worth retrying? Only failures caused by the message itself are
 * permanent (it then goes to the DLQ); anything else (the server is down, a login
 * fails, a deadlock, a timeout) is retryable, so a broken store never empties the queue
 * into the DLQ. Pure functions over the drivers' error shapes.
 */

/** MongoDB server codes caused by the document: too large, failed validation, bad field names. */
const MONGO_PERMANENT_CODES = new Set([2, 52, 55, 121, 10334, 17419, 17280]);

export function isRetryableMongoError(e: unknown): boolean {
  if (!e || typeof e !== 'object') return true;
  const err = e as { code?: unknown; name?: string; errorLabels?: unknown };
  if (typeof err.code === 'number' && MONGO_PERMANENT_CODES.has(err.code)) return false;
  if (err.name === 'BSONError' || err.name === 'MongoInvalidArgumentError') return false;
  return true;
}

/** SQL Server error numbers caused by the row: truncation, conversion, NULL, constraint, overflow. */
const MSSQL_PERMANENT_NUMBERS = new Set([2628, 8152, 245, 8114, 515, 547, 8115, 241, 242, 9420]);

export function isRetryableMssqlError(e: unknown): boolean {
  if (!e || typeof e !== 'object') return true;
  const err = e as { number?: unknown; originalError?: { info?: { number?: unknown } }; precedingErrors?: unknown[] };
  const number = typeof err.number === 'number' ? err.number : err.originalError?.info?.number;
  return !(typeof number === 'number' && MSSQL_PERMANENT_NUMBERS.has(number));
}

/** An error message safe to log: the connection string (and its password) removed. */
export function scrub(message: string, secret: string): string {
  let out = message;
  if (secret) out = out.split(secret).join('<connection string>');
  return out.replace(/(password|pwd)\s*=\s*[^;\s)]*/gi, '$1=***').replace(/\/\/([^:/@\s]+):([^@/\s]+)@/g, '//$1:***@');
}
