/**
 * The one batch send: requests within SQS's 10-entry and 1 MiB caps (core/batching), in
 * order; what SQS answers may succeed is sent again, with backoff (core/retry); on a FIFO
 * destination a group whose message failed sends no more of its messages (order comes
 * first). Callers hear each entry's fate through hooks and keep their own accounts.
 */
import type { BatchOutcome, EntryFailure, SendEntry } from '../aws/queue.js';
import { planBatches } from '../core/batching.js';
import { SqsopsError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { retryRemaining, type Remaining } from '../core/retry.js';

/** One request: SendMessageBatch or PublishBatch. */
export type SendFn = (entries: SendEntry[]) => Promise<BatchOutcome<{ id: string }>>;

export interface SendHooks<E> {
  /** Before each request (a throw stops the batch: produce stops at Ctrl-C). */
  beforeAttempt?(pending: E[]): void;
  /** Entries accepted, the moment the answer is read. */
  sent?(entries: E[]): void;
  /** An entry that did not get there: refused for good, out of attempts, too large, or not sent after a stop. */
  failed(entry: E, code: string, reason: string): void;
  /** A refusal that may pass on a later try (the server may have stored it): heard before the retry. */
  retrying?(entry: E, failure: EntryFailure): void;
  /** The request itself failed (its entries may have arrived); the error then decides whether to retry. */
  requestFailed?(entries: E[], error: unknown): void;
  /** FIFO: not sent because an earlier message of its group failed. */
  skipped?(entry: E): void;
}

export interface SendPolicy {
  /** Attempts per entry, the first included. @default 5 */
  maxAttempts?: number;
  /** An error that will not heal by retrying. @default a user-facing error (no queue, no access, unreachable) */
  isFatal?: (error: unknown) => boolean;
}

/** Sends one batch, then again what may still pass; never throws for a send. Returns what is left and why. */
export async function sendBatch<E extends SendEntry>(
  send: SendFn,
  batch: E[],
  hooks: SendHooks<E>,
  { maxAttempts = 5, isFatal = (e) => e instanceof SqsopsError }: SendPolicy = {},
): Promise<Remaining<E>> {
  const attempt = async (pending: E[], n: number): Promise<E[]> => {
    hooks.beforeAttempt?.(pending);
    let res: Awaited<ReturnType<SendFn>>;
    try {
      res = await send(pending);
    } catch (e: unknown) {
      hooks.requestFailed?.(pending, e);
      throw e;
    }
    const byId = new Map(pending.map((e) => [e.id, e]));
    hooks.sent?.(res.successful.flatMap((s) => byId.get(s.id) ?? []));
    const retry: E[] = [];
    for (const f of res.failed) {
      const e = byId.get(f.id);
      if (!e) continue;
      if (!f.senderFault) hooks.retrying?.(e, f);
      if (!f.senderFault && n < maxAttempts) retry.push(e);
      else hooks.failed(e, f.code, f.message || f.code);
    }
    return retry;
  };
  return retryRemaining(batch, attempt, { maxAttempts, baseMs: 100, capMs: 5000, isFatal });
}

export interface SendAllOptions extends SendPolicy {
  /** Skip the rest of a group after a failure (a FIFO destination). */
  keepGroupOrder: boolean;
}

export interface SendAllOutcome {
  /** Set when the destination cannot be reached or refused the caller: the rest was not sent. */
  stoppedBy?: string;
  /** The error that stopped the run, as thrown. */
  error?: unknown;
}

/** Cuts entries into batches and sends them in order; a batch that fails whole stops the rest. */
export async function sendAll<E extends SendEntry & { bytes: number }>(
  send: SendFn,
  entries: E[],
  hooks: SendHooks<E>,
  { keepGroupOrder, ...policy }: SendAllOptions,
): Promise<SendAllOutcome> {
  const out: SendAllOutcome = {};
  const failedGroups = new Set<string>();
  const failed = (e: E, code: string, reason: string) => {
    hooks.failed(e, code, reason);
    if (keepGroupOrder && e.groupId) failedGroups.add(e.groupId);
  };
  const notSent = (left: E[]) => {
    for (const e of left) hooks.failed(e, 'NotSent', `not sent: ${out.stoppedBy}`);
  };
  const { batches, oversized } = planBatches(entries);
  // Over SQS's limit as it is: never sent (the process DLQ step leaves it for the redrive policy).
  for (const e of oversized) failed(e, 'TooLarge', `${e.bytes} bytes with its attributes: over SQS's 1 MiB limit`);
  for (const planned of batches) {
    const pending = planned.filter((e) => {
      const held = keepGroupOrder && e.groupId !== undefined && failedGroups.has(e.groupId);
      if (held) hooks.skipped?.(e);
      return !held;
    });
    if (out.stoppedBy !== undefined) {
      notSent(pending);
      continue;
    }
    const { left, error } = await sendBatch(send, pending, { ...hooks, failed }, policy);
    if (error !== undefined) {
      out.error = error;
      out.stoppedBy = redact(error instanceof Error ? error.message : String(error));
      notSent(left);
    }
  }
  return out;
}
