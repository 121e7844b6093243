import type { CommandContext } from '../context.js';
import { showLedger, type ShowResult } from '../../features/ledger/ledgerOps.js';

export interface ShowFlags {
  table?: string;
  limit: number;
  status?: string;
  count?: boolean;
}

export async function run(flags: ShowFlags, ctx: CommandContext, keys: string[] = []): Promise<void> {
  const clients = await ctx.connect();
  const spinner = await ctx.out.spinner(keys.length ? 'looking up keys' : flags.count ? 'counting the ledger' : 'reading the ledger');
  const result = await showLedger(clients, {
    ledgerTable: flags.table ?? ctx.names.ledgerTable,
    keys,
    limit: flags.limit,
    status: flags.status,
    count: flags.count ?? false,
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
    out.note(`${result.table}: ${result.count} ${flags.status ? `${flags.status} ` : ''}records (counted by DynamoDB)`);
    return;
  }
  if (result.items.length > 0)
    out.print(
      out.table(
        ['id', 'status', 'when', 'queue', 'message id'],
        result.items.map((i) => [i.id, i.status, i.updatedAt, i.queue, i.messageId]),
      ),
    );
  out.note(summaryLine(result, flags));
}

function summaryLine(r: ShowResult, flags: ShowFlags): string {
  if (r.missing !== undefined) {
    const none = r.missing.length ? `; no record for ${r.missing.join(', ')}` : '';
    return `${r.table}: ${r.items.length} of the keys asked for have a record${none}`;
  }
  const what = flags.status ? `${flags.status} records` : 'records';
  if (r.items.length === 0) return r.total === 0 ? `the ledger ${r.table} is empty` : `${r.table}: no ${what}`;
  if (r.complete && r.counts) {
    const counts = Object.entries(r.counts)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ');
    return `${r.table}: ${r.total} records (${counts}); showing ${r.items.length}, newest first`;
  }
  return `${r.table}: the first ${r.items.length} ${what} the table returned (its own order), newest first; there are more (--count counts them)`;
}
