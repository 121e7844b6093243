import type { CommandContext } from '../context.js';
import { parseConsumer } from '../../core/consumer.js';
import { showLedger, type ShowResult } from '../../features/ledger/ledgerOps.js';

export interface ShowFlags {
  table?: string;
  limit: number;
  status?: string;
  count?: boolean;
  consumer?: string;
}

export async function run(flags: ShowFlags, ctx: CommandContext, keys: string[] = []): Promise<void> {
  // A bad name fails before anything is connected.
  if (flags.consumer !== undefined) parseConsumer(flags.consumer);
  const clients = await ctx.connect();
  const spinner = await ctx.out.spinner(keys.length ? 'looking up keys' : flags.count ? 'counting the ledger' : 'reading the ledger');
  const result = await showLedger(clients, {
    ledgerTable: flags.table ?? ctx.names.ledgerTable,
    keys,
    limit: flags.limit,
    status: flags.status,
    count: flags.count ?? false,
    consumer: flags.consumer,
    signal: ctx.signal,
    notify: (m) => ctx.out.note(m),
  }).finally(() => spinner.stop());
  const { out } = ctx;
  if (out.json) {
    out.printJson(result, result.items);
    return;
  }
  if (result.count !== undefined) {
    out.print(`${result.count}`);
    out.note(`${whose(result)}: ${result.count} ${flags.status ? `${flags.status} ` : ''}records (counted by DynamoDB)`);
    return;
  }
  if (result.items.length > 0)
    out.print(
      out.table(
        ['key', 'consumer', 'status', 'when', 'queue', 'message id'],
        // A record from before consumers counts for every consumer.
        result.items.map((i) => [i.key ?? i.id, i.consumer ?? '(any)', i.status, i.updatedAt, i.queue, i.messageId]),
      ),
    );
  out.note(summaryLine(result, flags));
}

const whose = (r: ShowResult) => (r.consumer ? `consumer ${r.consumer} in ${r.table}` : r.table);

function summaryLine(r: ShowResult, flags: ShowFlags): string {
  if (r.missing !== undefined) {
    const none = r.missing.length ? `; no record for ${r.missing.join(', ')}` : '';
    return `${whose(r)}: ${r.items.length} record${r.items.length === 1 ? '' : 's'} of the keys asked for${none}`;
  }
  const what = flags.status ? `${flags.status} records` : 'records';
  if (r.items.length === 0) {
    if (r.consumer) return `no ${what} of consumer ${r.consumer} in ${r.table}`;
    return r.complete && !flags.status ? `the ledger ${r.table} is empty` : `${r.table}: no ${what}`;
  }
  if (r.complete && r.counts) {
    const counts = Object.entries(r.counts)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ');
    return `${whose(r)}: ${r.total} records (${counts}); showing ${r.items.length}, newest first`;
  }
  return `${whose(r)}: the first ${r.items.length} ${what} the table returned (its own order), newest first; there are more (--count counts them)`;
}
