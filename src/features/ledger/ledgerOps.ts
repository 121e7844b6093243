/** `show` and `clear`: read and wipe the idempotency ledger. */
import type { AwsClients } from '../../aws/clients.js';
import { LEDGER_KEY, type LedgerItem } from '../../aws/ledger.js';
import { openLedger, type Notify } from '../setup/resources.js';

export interface ShowOptions {
  ledgerTable: string;
  /** Newest first, at most this many rows. @default 50 */
  limit?: number;
  /** Only rows with this status. */
  status?: string;
  signal?: AbortSignal;
  notify?: Notify;
  onProgress?: (scanned: number) => void;
}

export interface ShowResult {
  table: string;
  total: number;
  counts: Record<string, number>;
  items: LedgerItem[];
}

export async function showLedger(clients: AwsClients, options: ShowOptions): Promise<ShowResult> {
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
    for (const item of page) {
      total++;
      counts[item.status] = (counts[item.status] ?? 0) + 1;
      if (!options.status || item.status === options.status) newest.push(item);
    }
    if (newest.length > limit * 4) newest = sortNewest(newest).slice(0, limit);
    options.onProgress?.(total);
  }
  return { table: options.ledgerTable, total, counts, items: sortNewest(newest).slice(0, limit) };
}

function sortNewest(items: LedgerItem[]): LedgerItem[] {
  return items.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
}

export interface ClearOptions {
  ledgerTable: string;
  signal?: AbortSignal;
  notify?: Notify;
  onProgress?: (deleted: number) => void;
}

export async function clearLedger(clients: AwsClients, options: ClearOptions): Promise<{ table: string; deleted: number }> {
  const ledger = await openLedger(clients, options.ledgerTable, {
    createIfLocal: true,
    signal: options.signal,
    notify: options.notify,
  });
  let deleted = 0;
  for await (const page of ledger.scan({ projection: [LEDGER_KEY] })) {
    await ledger.deleteKeys(
      page.map((i) => i.id),
      (n) => {
        deleted += n;
        options.onProgress?.(deleted);
      },
    );
  }
  return { table: options.ledgerTable, deleted };
}
