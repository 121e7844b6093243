/** `show` and `clear`: read and wipe the idempotency ledger. */
import type { AwsClients } from '../../aws/clients.js';
import { LEDGER_KEY } from '../../aws/ledger.js';
import { openLedger, type Notify } from '../setup/resources.js';

// show: lookups that read only what they need (lookup.ts).
export { showLedger, type ShowOptions, type ShowResult } from './lookup.js';

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
