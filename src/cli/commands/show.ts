import type { CommandContext } from '../context.js';
import { showLedger } from '../../features/ledger/ledgerOps.js';

export interface ShowFlags {
  table?: string;
  limit: number;
  status?: string;
}

export async function run(flags: ShowFlags, ctx: CommandContext): Promise<void> {
  const limit = flags.limit;
  const clients = await ctx.connect();
  const spinner = await ctx.out.spinner('scanning the ledger');
  const result = await showLedger(clients, {
    ledgerTable: flags.table ?? ctx.names.ledgerTable,
    limit,
    status: flags.status,
    signal: ctx.signal,
    notify: (m) => ctx.out.note(m),
    onProgress: (n) => spinner.update(`scanned ${n} records`),
  }).finally(() => spinner.stop());
  const { out } = ctx;
  if (out.json) {
    out.printJson(result, result.items);
    return;
  }
  if (result.total === 0) {
    out.note(`the ledger ${result.table} is empty`);
    return;
  }
  out.print(
    out.table(
      ['id', 'status', 'when', 'queue', 'message id'],
      result.items.map((i) => [i.id, i.status, i.updatedAt, i.queue, i.messageId]),
    ),
  );
  const counts = Object.entries(result.counts)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  out.note(`${result.table}: ${result.total} records (${counts}); showing ${result.items.length}, newest first`);
}
