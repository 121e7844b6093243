/**
 * Whose a ledger record is. Idempotency is per consumer (as Powertools scopes it per
 * function): two subscribers of one topic each process every event once. A consumer is
 * the queue a message was taken from unless named (`--consumer`, SQSOPS_CONSUMER), so
 * several queues can share one on purpose. A record's partition key is `consumer#key`;
 * a consumer name never holds `#`, so the first `#` splits the two even when keys hold one.
 */
import { UsageError } from './errors.js';

/** A ledger record's owner and idempotency key. */
export interface LedgerRef {
  consumer: string;
  key: string;
}

/** Queue names (letters, digits, `-`, `_`, `.fifo`) fit, and a few more separators; never `#`. */
const CONSUMER_RE = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Checks a consumer name; `source` names the flag or variable it came from, for the error. */
export function parseConsumer(name: string, source = '--consumer'): string {
  if (!CONSUMER_RE.test(name)) {
    throw new UsageError(`${source} "${name}" is not a consumer name`, {
      hint: 'use 1-128 letters, digits, ".", "_", ":" or "-" (a queue name fits), e.g. billing',
    });
  }
  return name;
}

/** `--consumer` if given, else SQSOPS_CONSUMER if set, checked; undefined: the queue's name applies. */
export function consumerFrom(flag: string | undefined, env: string | undefined): string | undefined {
  if (flag !== undefined) return parseConsumer(flag);
  const value = env?.trim();
  return value ? parseConsumer(value, 'SQSOPS_CONSUMER') : undefined;
}

/** The partition key of a consumer's record for a key. */
export function ledgerId(ref: LedgerRef): string {
  return `${ref.consumer}#${ref.key}`;
}

/** The consumer of a queue given by name, URL or ARN: its name (the last part). */
export function queueConsumer(queue: string): string {
  return queue.split(/[/:]/).pop() ?? queue;
}
