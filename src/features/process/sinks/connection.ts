/**
 * What the database sinks share around their driver: one lazy connection (opened by the
 * first caller, shared by concurrent ones, forgotten when it fails so the next write
 * tries again), and their errors worded alike with the target redacted.
 */
import { UsageError } from '../../../core/errors.js';
import { redact } from '../../../core/redact.js';
import { errorCode, SinkWriteError } from './errors.js';

export class LazyConnection<T> {
  private ready: Promise<T> | undefined;

  constructor(
    private readonly connect: () => Promise<T>,
    private readonly disconnect: (connection: T) => Promise<void>,
  ) {}

  /** One connect for concurrent first writes; a failed connect is forgotten so the next write retries. */
  get(): Promise<T> {
    this.ready ??= this.connect().catch((e: unknown) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  /** Connects at start: a config no retry can fix stops the run; a server that is down may be up by the first write. */
  async open(): Promise<void> {
    try {
      await this.get();
    } catch (e: unknown) {
      if (e instanceof UsageError) throw e;
    }
  }

  async close(): Promise<void> {
    const connection = await this.ready?.catch(() => undefined);
    if (connection !== undefined) await this.disconnect(connection);
    this.ready = undefined;
  }
}

export interface SinkErrors {
  /** A SinkWriteError naming the sink and its (redacted) target. */
  describe(message: string, code?: string | number): SinkWriteError;
  /** The same for a driver's error, with its code. */
  fromError(e: unknown): SinkWriteError;
}

export function sinkErrors(sink: string, where: string, context: Record<string, unknown> = {}): SinkErrors {
  const describe = (message: string, code?: string | number) =>
    new SinkWriteError(`${sink} (${where}): ${redact(message)}`, { context: { sink, target: where, ...context, code } });
  return { describe, fromError: (e) => describe(e instanceof Error ? e.message : String(e), errorCode(e)) };
}
