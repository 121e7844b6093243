import type { CommandContext } from '../context.js';
import { parseConsumer } from '../../core/consumer.js';
import { clearLedger } from '../../features/ledger/ledgerOps.js';

export interface ClearFlags {
  table?: string;
  consumer?: string;
}

export async function run(flags: ClearFlags, ctx: CommandContext): Promise<void> {
  const table = flags.table ?? ctx.names.ledgerTable;
  // A bad name fails before anything is asked or connected.
  if (flags.consumer !== undefined) parseConsumer(flags.consumer);
  const whose = flags.consumer ? `consumer ${flags.consumer}'s records` : 'every record';
  const clients = await ctx.connect();
  if (clients.target.kind === 'aws') {
    await ctx.confirm(
      `Delete ${whose} in the ledger table ${table} on AWS?`,
      `refusing to clear ${table} on real AWS without confirmation`,
    );
  }
  const spinner = await ctx.out.spinner(`clearing ${table}`);
  const result = await clearLedger(clients, {
    ledgerTable: table,
    consumer: flags.consumer,
    signal: ctx.signal,
    notify: (m) => ctx.out.note(m),
    onProgress: (n) => spinner.update(`deleted ${n} records`),
  }).finally(() => spinner.stop());
  if (ctx.out.json) ctx.out.printJson(result);
  else ctx.out.print(`deleted ${result.deleted} records${flags.consumer ? ` of consumer ${flags.consumer}` : ''} from ${result.table}`);
}
