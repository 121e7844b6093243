/**
 * What the database sinks share: is a failure worth retrying (their connection strings
 * are redacted by core/redact). Pure functions over the drivers' error shapes (duck-typed,
 * so neither driver is loaded to classify). Only failures caused by the message itself are permanent (the
 * message then goes to the DLQ); anything unknown is retryable, so a broken or
 * misconfigured store never empties a queue into the DLQ.
 */
import { SqsopsError } from '../../../core/errors.js';
import type { SinkFailure, SinkMessage, SinkResult } from '../../../pipeline/sink.js';

/** A sink's failure to store a message, with the store's code and no secret in it. */
export class SinkWriteError extends SqsopsError {
  override readonly name = 'SinkWriteError';
}

/**
 * Transient server codes: elections, shutdowns, network, timeouts, write conflicts,
 * throttling, and 11000, which an upsert by _id only meets when two writers race to
 * insert the same key (the retry finds the document and replaces it).
 */
const MONGO_RETRYABLE_CODES = new Set([
  6, 7, 24, 50, 64, 89, 91, 112, 134, 189, 262, 9001, 10107, 11000, 11600, 11602, 13435, 13436, 16500,
]);
/** Caused by the document: invalid or empty field names, failed validation, too large. */
const MONGO_PERMANENT_CODES = new Set([52, 55, 56, 57, 121, 10334, 17280, 17419]);
const MONGO_RETRYABLE_LABELS = ['RetryableWriteError', 'TransientTransactionError', 'ResetPool', 'SystemOverloadedError', 'RetryableError'];
const MONGO_RETRYABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoNotConnectedError',
  'MongoOperationTimeoutError',
  'MongoWriteConcernError',
]);
/** Client-side rejections of one document (BSON cannot encode it, it is over 16 MB). */
const MONGO_PERMANENT_NAMES = new Set(['BSONError', 'BSONVersionError', 'MongoInvalidArgumentError']);

function mongoLabels(e: object): string[] {
  const labels = (e as { errorLabels?: unknown }).errorLabels;
  return Array.isArray(labels) ? labels.filter((l): l is string => typeof l === 'string') : [];
}

/** For a whole-operation error or one entry of a bulk write's `writeErrors`. */
export function isRetryableMongoError(e: unknown): boolean {
  if (!e || typeof e !== 'object') return true;
  const { code, name } = e as { code?: unknown; name?: unknown };
  // The driver's own verdict comes first: a label means "the same write may succeed later".
  if (mongoLabels(e).some((l) => MONGO_RETRYABLE_LABELS.includes(l))) return true;
  if (typeof name === 'string' && MONGO_RETRYABLE_NAMES.has(name)) return true;
  if (typeof code === 'number' && MONGO_RETRYABLE_CODES.has(code)) return true;
  if (typeof code === 'number' && MONGO_PERMANENT_CODES.has(code)) return false;
  if (typeof name === 'string' && MONGO_PERMANENT_NAMES.has(name)) return false;
  return true;
}

/** Connection-level codes of `mssql`/tedious: the server is away, slow, or the connection broke. */
const MSSQL_RETRYABLE_CODES = new Set([
  'ESOCKET',
  'ETIMEOUT',
  'ECONNCLOSED',
  'ENOCONN',
  'ENOTOPEN',
  'EINSTLOOKUP',
  'ELOGIN',
  'EABORT',
  'ECANCEL',
]);
/**
 * Transient server numbers: deadlock victim, lock timeout, Azure SQL failover and
 * throttling, out of resources, login while the database starts.
 */
const MSSQL_RETRYABLE_NUMBERS = new Set([
  1205, 1222, 701, 4060, 4221, 10928, 10929, 40143, 40197, 40501, 40540, 40613, 49918, 49919, 49920,
]);
/** Caused by the row: truncation, conversion, NULL, constraint, overflow, bad date, key over 900 bytes, bad JSON/XML. */
const MSSQL_PERMANENT_NUMBERS = new Set([2628, 8152, 245, 8114, 8115, 515, 547, 241, 242, 517, 1946, 9420, 13609]);

/**
 * Every server error number an `mssql` error carries. The thrown error is the last one
 * the server sent: for a truncation that is 3621 "The statement has been terminated",
 * while the cause (2628) is in `precedingErrors`.
 */
export function mssqlErrorNumbers(e: unknown): number[] {
  if (!e || typeof e !== 'object') return [];
  const err = e as { number?: unknown; originalError?: { info?: { number?: unknown } }; precedingErrors?: unknown };
  const own = typeof err.number === 'number' ? err.number : err.originalError?.info?.number;
  const preceding = Array.isArray(err.precedingErrors) ? err.precedingErrors.flatMap(mssqlErrorNumbers) : [];
  return [...preceding, ...(typeof own === 'number' ? [own] : [])];
}

export function isRetryableMssqlError(e: unknown): boolean {
  if (!e || typeof e !== 'object') return true;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && MSSQL_RETRYABLE_CODES.has(code)) return true;
  const numbers = mssqlErrorNumbers(e);
  if (numbers.some((n) => MSSQL_RETRYABLE_NUMBERS.has(n))) return true;
  return !numbers.some((n) => MSSQL_PERMANENT_NUMBERS.has(n));
}

/** The store's own code for an error (`11000`, `ESOCKET`, `2628`), kept for logs and metrics. */
export function errorCode(e: unknown): string | number | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const { code, number } = e as { code?: unknown; number?: unknown };
  if (typeof number === 'number') return number;
  return typeof code === 'number' || typeof code === 'string' ? code : undefined;
}

/** A failure waiting to be reported for every message that carries its key. */
export type Failure = Omit<SinkFailure, 'key'>;

/** One entry per message of the batch: a key sent twice is reported twice, with its one outcome. */
export function report(batch: SinkMessage[], failures: ReadonlyMap<string, Failure>): SinkResult {
  const result: SinkResult = { succeeded: [], failed: [] };
  for (const m of batch) {
    const f = failures.get(m.key);
    if (f) result.failed.push({ key: m.key, ...f });
    else result.succeeded.push(m.key);
  }
  return result;
}
