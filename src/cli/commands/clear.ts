import type { CommandContext } from '../context.js';
import { clearLedger } from '../../features/ledger/ledgerOps.js';

export interface ClearFlags {
  table?: string;
}

export async function run(flags: ClearFlags, ctx: CommandContext): Promise<void> {
  const table = flags.table ?? ctx.names.ledgerTable;
  const clients = await ctx.connect();
  if (clients.target.kind === 'aws') {
    await ctx.confirm(
      `Delete every record in the ledger table ${table} on AWS?`,
      `refusing to clear ${table} on real AWS without confirmation`,
    );
  }
  const spinner = await ctx.out.spinner(`clearing ${table}`);
  const result = await clearLedger(clients, {
    ledgerTable: table,
    signal: ctx.signal,
    notify: (m) => ctx.out.note(m),
    onProgress: (n) => spinner.update(`deleted ${n} records`),
  }).finally(() => spinner.stop());
  if (ctx.out.json) ctx.out.printJson(result);
  else ctx.out.print(`deleted ${result.deleted} records from ${result.table}`);
}
