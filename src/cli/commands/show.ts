import type { CommandContext } from '../context.js';
import { parseConsumer } from '../../core/consumer.js';
import { showLedger } from '../../features/ledger/ledgerOps.js';

export interface ShowFlags {
  table?: string;
  limit: number;
  status?: string;
  consumer?: string;
}

export async function run(flags: ShowFlags, ctx: CommandContext): Promise<void> {
  const limit = flags.limit;
  // A bad name fails before anything is connected.
  if (flags.consumer !== undefined) parseConsumer(flags.consumer);
  const clients = await ctx.connect();
  const spinner = await ctx.out.spinner('scanning the ledger');
  const result = await showLedger(clients, {
    ledgerTable: flags.table ?? ctx.names.ledgerTable,
    limit,
    status: flags.status,
    consumer: flags.consumer,
    signal: ctx.signal,
    notify: (m) => ctx.out.note(m),
    onProgress: (n) => spinner.update(`scanned ${n} records`),
  }).finally(() => spinner.stop());
  const { out } = ctx;
  if (out.json) {
    out.printJson(result, result.items);
    return;
  }
  const whose = result.consumer ? `consumer ${result.consumer} in ${result.table}` : result.table;
  if (result.total === 0) {
    out.note(result.consumer ? `no records of consumer ${result.consumer} in ${result.table}` : `the ledger ${result.table} is empty`);
    return;
  }
  out.print(
    out.table(
      ['key', 'consumer', 'status', 'when', 'queue', 'message id'],
      // A record from before consumers counts for every consumer.
      result.items.map((i) => [i.key ?? i.id, i.consumer ?? '(any)', i.status, i.updatedAt, i.queue, i.messageId]),
    ),
  );
  const counts = Object.entries(result.counts)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  out.note(`${whose}: ${result.total} records (${counts}); showing ${result.items.length}, newest first`);
}
