/**
 * The typed error hierarchy. Everything a user can cause or fix is a `SqsopsError`
 * with a one-line message, a hint and an exit code; the CLI entry prints those
 * without a stack trace. Anything else is a bug and is reported as one.
 */

/** Exit codes, shared by every command. */
export const ExitCode = {
  ok: 0,
  /** Something asked for did not fully succeed (a partial failure). */
  partial: 1,
  /** The command line or an input file is wrong. */
  usage: 2,
  /** A resource (queue, table, bucket) is missing. */
  notFound: 3,
  /** Credentials, permissions or the endpoint are wrong or unreachable. */
  access: 4,
  /** The embedded local AWS could not start or be reached. */
  local: 5,
  /** The user declined a confirmation. */
  aborted: 130,
  internal: 70,
} as const;

export interface SqsopsErrorOptions {
  hint?: string;
  cause?: unknown;
  context?: Record<string, unknown>;
}

export class SqsopsError extends Error {
  override readonly name: string = 'SqsopsError';
  readonly hint: string | undefined;
  readonly context: Record<string, unknown>;
  readonly exitCode: number = ExitCode.partial;

  constructor(message: string, options: SqsopsErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.hint = options.hint;
    this.context = options.context ?? {};
  }
}

/** A kind of SqsopsError: a class of its own (for `instanceof`) with its name and exit code. */
function errorKind<N extends string>(name: N, exitCode: number) {
  return class extends SqsopsError {
    override readonly name: N = name;
    override readonly exitCode: number = exitCode;
  };
}

/** A flag, argument or input file is wrong. */
export class UsageError extends errorKind('UsageError', ExitCode.usage) {}

export class QueueNotFoundError extends errorKind('QueueNotFoundError', ExitCode.notFound) {
  constructor(queue: string, options: SqsopsErrorOptions = {}) {
    // setup takes a name: from a queue URL, its last path segment (an account's URL holds the region too).
    const name = /^https?:\/\//i.test(queue) ? (queue.replace(/\/+$/, '').split('/').pop() ?? queue) : queue;
    super(`queue "${queue}" does not exist`, {
      hint: `check the name and region, or create it with \`sqsops setup --queue ${name}\``,
      ...options,
      context: { queue, ...options.context },
    });
  }
}

/** SQS refused a purge: the queue was purged less than 60 seconds ago. `said` is SQS's own message. */
export class PurgeInProgressError extends SqsopsError {
  override readonly name = 'PurgeInProgressError';
  constructor(queue: string, options: SqsopsErrorOptions & { said?: string } = {}) {
    const said = options.said?.trim() || 'it was purged less than 60 seconds ago';
    super(`SQS refused to purge "${queue}": ${said} (PurgeQueueInProgress)`, {
      hint: 'SQS allows one purge per queue every 60 seconds, and the last one may still be deleting messages; run again in a minute',
      ...options,
      context: { queue, ...options.context },
    });
  }
}

export class ResourceNotFoundError extends errorKind('ResourceNotFoundError', ExitCode.notFound) {}

/** No credentials, bad credentials, or not allowed. */
export class AccessError extends errorKind('AccessError', ExitCode.access) {}

/** The endpoint could not be reached at all. */
export class EndpointError extends errorKind('EndpointError', ExitCode.access) {}

/** The embedded local AWS could not be started, reached or stopped. */
export class LocalAwsError extends errorKind('LocalAwsError', ExitCode.local) {}

/** The user said no to a confirmation (or could not be asked). */
export class AbortedError extends errorKind('AbortedError', ExitCode.aborted) {}

/**
 * The work ran but not all of it succeeded. Carries the result so the CLI can
 * still render the summary before exiting non-zero.
 */
export class PartialFailureError extends errorKind('PartialFailureError', ExitCode.partial) {}

/** Which signal stopped a run: the reason the CLI's entry aborts the run's controller with. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * The run was stopped by a signal: what was handed over is done, the rest was given back.
 * Exit 128 + the signal's number, as a shell reports it: 130 for SIGINT, 143 for SIGTERM.
 */
export class InterruptedError extends SqsopsError {
  override readonly name = 'InterruptedError';
  override readonly exitCode: number;
  constructor(
    readonly signal: StopSignal,
    message = `interrupted by ${signal}`,
    options: SqsopsErrorOptions = {},
  ) {
    super(message, options);
    this.exitCode = signal === 'SIGTERM' ? 143 : ExitCode.aborted;
  }
}

/** The signal an aborted run was stopped by, if a signal is what stopped it. */
export function stopSignalOf(signal: AbortSignal | undefined): StopSignal | undefined {
  return signal?.aborted && signal.reason instanceof InterruptedError ? signal.reason.signal : undefined;
}

/** A file could not be written whole (disk full, file too large, I/O error, a short write): what was cut off was trimmed. */
export class ExportWriteError extends SqsopsError {
  override readonly name = 'ExportWriteError';
  constructor(
    readonly path: string,
    readonly code: string,
    options: SqsopsErrorOptions = {},
  ) {
    super(`cannot write ${path}: ${WRITE_PROBLEMS[code] ?? code}`, options);
  }
}

const WRITE_PROBLEMS: Record<string, string> = {
  ENOSPC: 'the disk is full (ENOSPC)',
  EDQUOT: 'the disk quota is used up (EDQUOT)',
  EFBIG: 'the file is larger than its file system or limit allows (EFBIG)',
  EIO: 'an input/output error (EIO)',
  EROFS: 'the file system is read-only (EROFS)',
  SHORT: 'the disk took only part of a write',
};

const PARTIAL_RESULT = Symbol('sqsops.partialResult');

/**
 * Attaches what a run did before an error stopped it, so the CLI can print that summary
 * before the error line. A thrown value that is not an object is wrapped in an Error.
 */
export function withPartialResult(error: unknown, result: unknown): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  Object.defineProperty(e, PARTIAL_RESULT, { value: result, enumerable: false });
  return e;
}

/** The result `withPartialResult` attached, if any. */
export function partialResultOf<T>(error: unknown): T | undefined {
  return error instanceof Error ? ((error as unknown as Record<symbol, T | undefined>)[PARTIAL_RESULT] ?? undefined) : undefined;
}

export function isSqsopsError(e: unknown): e is SqsopsError {
  return e instanceof SqsopsError;
}

/** Node socket and undici codes that mean "the network failed; the same call may succeed later". */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);
/** undici's timeouts: a network failure too, reported as a timeout. */
export const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * The first `code` in an error's cause chain that `accept` takes. Causes nest (the SDK and
 * undici wrap socket errors; a failed dual-stack connect is an AggregateError), a few levels
 * is all that occurs, and the depth bound keeps a cyclic chain from looping.
 */
export function findCode(e: unknown, accept: (code: string) => boolean, depth = 6): string | undefined {
  if (depth <= 0 || !e || typeof e !== 'object') return undefined;
  const { code, cause, errors } = e as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && accept(code)) return code;
  for (const inner of [cause, ...(Array.isArray(errors) ? errors : [])]) {
    const found = findCode(inner, accept, depth - 1);
    if (found) return found;
  }
  return undefined;
}

/** The network or timeout code behind an error, if a network failure is what it is. */
export function networkCode(e: unknown): string | undefined {
  return findCode(e, (c) => NETWORK_CODES.has(c) || TIMEOUT_CODES.has(c));
}
