/**
 * The one interface every sink and every user handler implements. A sink takes a
 * batch of validated messages and reports per message; it must be idempotent by the
 * message's key, so a redelivery rewrites and never duplicates.
 */

export interface SinkMessage {
  /** The idempotency key (SQS MessageId or the business key). */
  key: string;
  messageId: string;
  /** Queue name the message came from. */
  queue: string;
  /** The ledger's consumer the message is processed for (its queue's name unless named). */
  consumer?: string;
  /** The parsed JSON body (after unwrapping an SNS envelope). */
  body: unknown;
  /** The body exactly as received (before unwrapping). */
  raw: string;
  receiveCount: number;
  /** ISO time SQS accepted the message. */
  sentAt?: string;
  groupId?: string;
  /** String message attributes. */
  attributes?: Record<string, string>;
  /** Tasks an earlier attempt already finished for this key (from the ledger). */
  tasksDone?: string[];
}

export interface SinkFailure {
  key: string;
  error: Error;
  /**
   * True when a later attempt may succeed (the store is down, throttling): the message
   * goes back to the queue with backoff. False when it never can (the store rejects
   * the document): the message is poison and goes to the DLQ.
   */
  retryable: boolean;
}

export interface SinkResult {
  /** Keys written (or already present with this key: idempotent). */
  succeeded: string[];
  failed: SinkFailure[];
  /**
   * Keys among `succeeded` that the sink handled by routing them elsewhere by design (the
   * tasks sink's rejects queue): safe to delete, but counted as MessagesToRejects, not saved.
   */
  rejected?: { key: string; reason: string }[];
}

export interface Sink {
  /** Short name used in metrics and logs, e.g. "s3", "mongodb", "mssql", "handler:audit". */
  readonly name: string;
  /** Connects, creates tables or indexes; called once before the first write. */
  open?(signal?: AbortSignal): Promise<void>;
  write(batch: SinkMessage[], signal?: AbortSignal): Promise<SinkResult>;
  /** Flushes and releases connections; called once at shutdown. */
  close(): Promise<void>;
}

/** What a per-message handler may return: nothing (written), or where it routed the message instead. */
export type HandleResult = undefined | { rejected: string };

/**
 * Runs `handle` for every message of a batch at once and reports each: a throw is that
 * message's failure, retryable unless the error says `retryable: false`.
 */
export async function writeEach(
  batch: SinkMessage[],
  // unknown: a handler that returns nothing is the common case; only a HandleResult is read.
  handle: (m: SinkMessage) => unknown,
): Promise<SinkResult> {
  const result: SinkResult = { succeeded: [], failed: [] };
  const rejected: { key: string; reason: string }[] = [];
  await Promise.all(
    batch.map(async (m) => {
      try {
        const out = (await handle(m)) as HandleResult;
        result.succeeded.push(m.key);
        if (out && typeof out === 'object' && typeof out.rejected === 'string') {
          rejected.push({ key: m.key, reason: out.rejected });
        }
      } catch (e: unknown) {
        const error = e instanceof Error ? e : new Error(String(e));
        result.failed.push({ key: m.key, error, retryable: (e as { retryable?: unknown })?.retryable !== false });
      }
    }),
  );
  if (rejected.length) result.rejected = rejected;
  return result;
}

/** The last copy of each key in a batch wins, as it would in the store. */
export function lastPerKey(batch: SinkMessage[]): SinkMessage[] {
  return [...new Map(batch.map((m) => [m.key, m])).values()];
}
