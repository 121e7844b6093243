/**
 * `show` and `clear`: read and wipe the idempotency ledger, whole or one consumer's. A
 * record from before consumers (no `consumer`) counts for every consumer: it is shown
 * with its key, and only a clear of the whole ledger removes it.
 */
import type { AwsClients } from '../../aws/clients.js';
import { FORMAT_ID, LEDGER_KEY, type LedgerItem } from '../../aws/ledger.js';
import { parseConsumer } from '../../core/consumer.js';
import { openLedger, type Notify } from '../setup/resources.js';

export interface ShowOptions {
  ledgerTable: string;
  /** Newest first, at most this many rows. @default 50 */
  limit?: number;
  /** Only rows with this status. */
  status?: string;
  /** Only this consumer's records (the counts too). */
  consumer?: string;
  signal?: AbortSignal;
  notify?: Notify;
  onProgress?: (scanned: number) => void;
}

export interface ShowResult {
  table: string;
  /** The consumer shown; undefined: every consumer. */
  consumer?: string;
  total: number;
  counts: Record<string, number>;
  items: LedgerItem[];
}

/** Whether a record is the consumer's (any record, without one). */
const belongsTo = (consumer: string | undefined) => (item: Pick<LedgerItem, 'consumer'>) =>
  consumer === undefined || item.consumer === consumer;

/** A record of a key, not the table's format record. */
const isRecord = (item: Pick<LedgerItem, 'id'>) => item.id !== FORMAT_ID;

/** A record with its key: a record from before consumers is keyed by its id. */
const withKey = (item: LedgerItem): LedgerItem => (item.key === undefined ? { ...item, key: item.id } : item);

export async function showLedger(clients: AwsClients, options: ShowOptions): Promise<ShowResult> {
  const mine = belongsTo(options.consumer === undefined ? undefined : parseConsumer(options.consumer));
  const ledger = await openLedger(clients, options.ledgerTable, {
    createIfLocal: true,
    signal: options.signal,
    notify: options.notify,
  });
  const limit = options.limit ?? 50;
  const counts: Record<string, number> = {};
  let total = 0;
  // Scan order is by hash, not time: keep the newest `limit` seen so far.
  let newest: LedgerItem[] = [];
  for await (const page of ledger.scan()) {
    for (const item of page.filter(isRecord).filter(mine).map(withKey)) {
      total++;
      counts[item.status] = (counts[item.status] ?? 0) + 1;
      if (!options.status || item.status === options.status) newest.push(item);
    }
    if (newest.length > limit * 4) newest = sortNewest(newest).slice(0, limit);
    options.onProgress?.(total);
  }
  const items = sortNewest(newest).slice(0, limit);
  return { table: options.ledgerTable, ...(options.consumer ? { consumer: options.consumer } : {}), total, counts, items };
}

function sortNewest(items: LedgerItem[]): LedgerItem[] {
  return items.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
}

export interface ClearOptions {
  ledgerTable: string;
  /** Only this consumer's records; undefined: every record. */
  consumer?: string;
  signal?: AbortSignal;
  notify?: Notify;
  onProgress?: (deleted: number) => void;
}

export async function clearLedger(
  clients: AwsClients,
  options: ClearOptions,
): Promise<{ table: string; consumer?: string; deleted: number }> {
  const mine = belongsTo(options.consumer === undefined ? undefined : parseConsumer(options.consumer));
  const ledger = await openLedger(clients, options.ledgerTable, {
    createIfLocal: true,
    signal: options.signal,
    notify: options.notify,
  });
  let deleted = 0;
  for await (const page of ledger.scan({ projection: [LEDGER_KEY, 'consumer'] })) {
    await ledger.deleteKeys(
      page
        .filter(isRecord)
        .filter(mine)
        .map((i) => i.id),
      (n) => {
        deleted += n;
        options.onProgress?.(deleted);
      },
    );
  }
  // Emptied whole: no record from before consumers is left to read.
  if (!options.consumer) await ledger.markFormat();
  return { table: options.ledgerTable, ...(options.consumer ? { consumer: options.consumer } : {}), deleted };
}
