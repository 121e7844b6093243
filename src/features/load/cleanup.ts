/**
 * What a load run leaves behind, unless it was asked to keep it: its own queue and DLQ
 * (with any of its messages still there) and the ledger records its workers wrote (every
 * key ends in the run's suffix, so nothing else is touched). Runs after an error or a
 * Ctrl-C too; a failure here is a note, never a lost result.
 */
import type { AwsClients } from '../../aws/clients.js';
import { ledgerId } from '../../core/consumer.js';
import { openLedger, type Notify } from '../../pipeline/resources.js';
import { removeOwn, type RunTarget } from './runQueue.js';

export interface CleanUpInput {
  target: RunTarget;
  keep?: boolean;
  /** The ledger table the workers wrote to; false or undefined: none to clean. */
  ledgerTable?: string | false;
  keys: Set<string>;
  notify?: Notify;
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function cleanUp(clients: AwsClients, c: CleanUpInput): Promise<void> {
  if (c.keep) {
    if (c.target.own) c.notify?.(`kept ${c.target.queue.name}${c.target.dlq ? ` and ${c.target.dlq.name}` : ''} (--keep)`);
    return;
  }
  if (c.ledgerTable && c.keys.size > 0) {
    try {
      const ledger = await openLedger(clients, c.ledgerTable);
      // The workers recorded for the run queue's consumer (workers.ts).
      const consumer = c.target.queue.name;
      const n = await ledger.deleteKeys([...c.keys].map((key) => ledgerId({ consumer, key })));
      c.notify?.(`removed the run's ${n} ledger record${n === 1 ? '' : 's'} from ${c.ledgerTable}`);
    } catch (e: unknown) {
      c.notify?.(`could not remove the run's ledger records from ${c.ledgerTable} (they expire with their TTL): ${reason(e)}`);
    }
  }
  if (c.target.own) {
    try {
      await removeOwn(clients, c.target);
      c.notify?.(`removed ${c.target.queue.name}${c.target.dlq ? ` and ${c.target.dlq.name}` : ''}`);
    } catch (e: unknown) {
      c.notify?.(`could not remove ${c.target.queue.name} (remove it by hand): ${reason(e)}`);
    }
  }
}
