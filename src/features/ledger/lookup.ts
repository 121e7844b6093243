/**
 * `show`: looks records up in the idempotency ledger, reading only what it needs: given keys
 * (BatchGetItem), the first `limit` records (a Scan that stops once it has them; by the
 * table's order, not by time), a status filtered by DynamoDB, or a count (Select: COUNT).
 */
import type { AwsClients } from '../../aws/clients.js';
import type { LedgerItem } from '../../aws/ledger.js';
import { LedgerQueries } from '../../aws/ledgerQueries.js';
import { ledgerId, parseConsumer } from '../../core/consumer.js';
import { UsageError } from '../../core/errors.js';
import { openLedger, type Notify } from '../../pipeline/resources.js';

export interface ShowOptions {
  ledgerTable: string;
  /** Only these keys' records (read by key: no scan). */
  keys?: string[];
  /** At most this many rows, the first the table returns, shown newest first. @default 50 */
  limit?: number;
  /** Only rows with this status (filtered by DynamoDB). */
  status?: string;
  /** Count the records (with `status`, those with it) instead of listing them. @default false */
  count?: boolean;
  /** Only this consumer's records (see core/consumer.ts); with keys, they are read by id (no scan). */
  consumer?: string;
  signal?: AbortSignal;
  notify?: Notify;
}

export interface ShowResult {
  table: string;
  /** The consumer shown; undefined: every consumer. */
  consumer?: string;
  /** The records read, newest first. */
  items: LedgerItem[];
  /** Keys asked for that have no record. */
  missing?: string[];
  /** `count`: how many records (with `status`, those with it). */
  count?: number;
  /** Every record was read (the table has no more than `limit` matching ones). */
  complete: boolean;
  /** Records in the table, when every one was read or counted. */
  total?: number;
  /** Records by status, when every (matching) record was read. */
  counts?: Record<string, number>;
  /** Scan pages read (0 for a lookup by key). */
  pagesRead: number;
}

/** DynamoDB's cap on the values of one IN. */
const MAX_IN = 100;

export async function showLedger(clients: AwsClients, options: ShowOptions): Promise<ShowResult> {
  const keys = options.keys ?? [];
  if (keys.length > 0 && options.count)
    throw new UsageError('--count counts the table; it does not go with keys', { hint: 'drop the keys or --count' });
  const consumer = options.consumer === undefined ? undefined : parseConsumer(options.consumer);
  if (keys.length > MAX_IN && consumer === undefined) {
    throw new UsageError(`at most ${MAX_IN} keys at once without --consumer`, {
      hint: 'name the consumer (the keys are then read by id), or ask in parts',
    });
  }
  const ledger = await openLedger(clients, options.ledgerTable, { createIfLocal: true, signal: options.signal, notify: options.notify });
  const queries = new LedgerQueries(await clients.dynamodb(), ledger.table, {
    signal: options.signal,
    endpoint: clients.endpointOf('dynamodb'),
  });
  const base = { table: options.ledgerTable, ...(consumer ? { consumer } : {}) };
  const filter = { ...(options.status ? { status: options.status } : {}), ...(consumer ? { consumer } : {}) };
  if (keys.length > 0) {
    // By id with a consumer (its record, and one from before consumers); else every consumer's, by a filtered scan.
    const found = consumer
      ? await queries.get(keys.flatMap((key) => [ledgerId({ consumer, key }), key]))
      : (await queries.first(Number.POSITIVE_INFINITY, { keys })).items;
    const items = sortNewest(options.status ? found.filter((i) => i.status === options.status) : found);
    const have = new Set(found.map((i) => i.key ?? i.id));
    return { ...base, items, missing: keys.filter((k) => !have.has(k)), complete: true, pagesRead: queries.pagesRead };
  }
  if (options.count) {
    const { count } = await queries.count(filter);
    return { ...base, items: [], count, complete: true, pagesRead: queries.pagesRead };
  }
  const first = await queries.first(options.limit ?? 50, filter);
  return {
    ...base,
    items: sortNewest(first.items),
    complete: first.complete,
    ...(first.complete ? { counts: byStatus(first.items), ...(options.status ? {} : { total: first.items.length }) } : {}),
    pagesRead: queries.pagesRead,
  };
}

function byStatus(items: LedgerItem[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const i of items) counts[i.status] = (counts[i.status] ?? 0) + 1;
  return counts;
}

function sortNewest(items: LedgerItem[]): LedgerItem[] {
  return items.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
}
