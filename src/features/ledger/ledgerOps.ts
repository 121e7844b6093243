/**
 * `show` and `clear`: read and wipe the idempotency ledger, whole or one consumer's. A
 * record from before consumers (no `consumer`) counts for every consumer: it is shown
 * with its key, and only a clear of the whole ledger removes it.
 */
import type { AwsClients } from '../../aws/clients.js';
import { FORMAT_ID, LEDGER_KEY } from '../../aws/ledger.js';
import { parseConsumer } from '../../core/consumer.js';
import { openLedger, type Notify } from '../../pipeline/resources.js';

// show: lookups that read only what they need (lookup.ts).
export { showLedger, type ShowOptions, type ShowResult } from './lookup.js';

/** Whether a record is the consumer's (any record, without one). */
const belongsTo = (consumer: string | undefined) => (item: { consumer?: string }) => consumer === undefined || item.consumer === consumer;

/** A record of a key, not the table's format record. */
const isRecord = (item: { id: string }) => item.id !== FORMAT_ID;

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
