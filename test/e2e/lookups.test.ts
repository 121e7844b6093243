/**
 * The built CLI: a drain that ends when the queue is empty (no --wait 1 needed), and show's
 * lookups (KEY…, --limit, --status, --count) as a user sees them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, parseJson, type CliHome, type ProcessSqsJson } from '../helpers/cli.js';
import type { ShowResult } from '../../src/features/ledger/ledgerOps.js';

let cli: CliHome;
beforeAll(() => {
  cli = newHome();
});
afterAll(async () => cli.cleanup());

describe('process-sqs --drain and show', () => {
  it('drains 12 messages with the default 20 s wait and ends on the empty receive and the counters', async () => {
    expect((await cli.run(['produce', '--count', '12'])).code).toBe(0);
    const r = await cli.run(['process-sqs', '--drain', '--json']);
    expect(r.code).toBe(0);
    const out = parseJson<ProcessSqsJson>(r.stdout);
    expect(out.metrics).toMatchObject({ MessagesReceived: 12, MessagesSaved: 12, MessagesDeferred: 0 });
    expect(out.receives).toBeLessThanOrEqual(12);
  }, 15_000);

  it('counts with --count, and --status COMPLETED counts the same', async () => {
    const all = await cli.run(['show', '--count']);
    expect(all.code).toBe(0);
    expect(all.stdout.trim()).toBe('12');
    expect(all.stderr).toMatch(/sqsops-ledger: 12 records \(counted by DynamoDB\)/);
    expect((await cli.run(['show', '--count', '--status', 'COMPLETED'])).stdout.trim()).toBe('12');
    expect((await cli.run(['show', '--count', '--status', 'RELEASED'])).stdout.trim()).toBe('0');
  });

  it('lists the first N in one page and says there are more', async () => {
    const r = await cli.run(['show', '--limit', '3', '--json']);
    const shown = parseJson<ShowResult>(r.stdout);
    expect(shown).toMatchObject({ complete: false, pagesRead: 1 });
    expect(shown.items).toHaveLength(3);
    const table = await cli.run(['show', '--limit', '3']);
    expect(table.stderr).toMatch(/the first 3 records the table returned .*there are more \(--count counts them\)/);
  });

  it('shows the records of the keys asked for, and names a key with none', async () => {
    const [a = '', b = ''] = parseJson<ShowResult>((await cli.run(['show', '--limit', '2', '--json'])).stdout).items.map((i) =>
      String(i.key),
    );
    // With the consumer (the queue's name, as process-sqs records by default): read by id, no scan.
    const r = await cli.run(['show', a, b, 'no-such-key', '--consumer', 'sqsops-events', '--json']);
    expect(r.code).toBe(0);
    const shown = parseJson<ShowResult>(r.stdout);
    expect(shown.items.map((i) => i.key).sort()).toEqual([a, b].sort());
    expect(shown).toMatchObject({ missing: ['no-such-key'], pagesRead: 0 });
    // Without it: every consumer's records of those keys, by a scan DynamoDB filters.
    const table = await cli.run(['show', a, 'no-such-key']);
    expect(table.stdout).toContain('COMPLETED');
    expect(table.stderr).toMatch(/: 1 record of the keys asked for; no record for no-such-key/);
  });

  it('refuses keys with --count in one line', async () => {
    const r = await cli.run(['show', 'k1', '--count']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --count counts the table; it does not go with keys$/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
