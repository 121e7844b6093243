/**
 * show's lookups read only what they need, on a seeded ledger: by key no scan at all, the
 * first N in one page, a status filtered by DynamoDB, a count with no records sent.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { Ledger } from '../../src/aws/ledger.js';
import { LedgerQueries } from '../../src/aws/ledgerQueries.js';
import { showLedger } from '../../src/features/ledger/ledgerOps.js';

const TABLE = 'lk-ledger';
const RECORDS = 1200;
/** One record in 100 is RELEASED. */
const RELEASED = RECORDS / 100;

let aws: TestAws;
let fullScanPages = 0;
beforeAll(async () => {
  aws = await startTestAws();
  const ledger = new Ledger(await aws.clients.dynamodb(), TABLE);
  await ledger.create();
  const doc = await aws.clients.dynamodb();
  for (let i = 0; i < RECORDS; i += 25) {
    const puts = Array.from({ length: 25 }, (_, j) => ({
      PutRequest: {
        Item: {
          id: `key-${i + j}`,
          status: (i + j) % 100 === 7 ? 'RELEASED' : 'COMPLETED',
          queue: 'q',
          messageId: `m-${i + j}`,
          updatedAt: new Date(Date.UTC(2026, 0, 1) + (i + j) * 1000).toISOString(),
          // Some weight, so a full scan takes several 1 MB pages.
          payloadHash: 'x'.repeat(4000),
        },
      },
    }));
    await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: puts } }));
  }
  for await (const _page of ledger.scan()) fullScanPages++;
}, 120_000);
afterAll(async () => aws.stop());

const queries = async () => new LedgerQueries(await aws.clients.dynamodb(), TABLE);

describe('ledger lookups', () => {
  it('a full scan takes several pages (the baseline)', () => {
    expect(fullScanPages).toBeGreaterThan(3);
  });

  it('reads the first N in one page, never the whole table', async () => {
    const q = await queries();
    const first = await q.first(10);
    expect(first.items).toHaveLength(10);
    expect(first.complete).toBe(false);
    expect(q.pagesRead).toBe(1);
  });

  it('filters a status on the server and stops once it has N', async () => {
    const q = await queries();
    const first = await q.first(3, { status: 'RELEASED' });
    expect(first.items.map((i) => i.status)).toEqual(['RELEASED', 'RELEASED', 'RELEASED']);
    expect(q.pagesRead).toBeLessThan(fullScanPages + 1);
    const all = await showLedger(aws.clients, { ledgerTable: TABLE, status: 'RELEASED', limit: 1000 });
    expect(all).toMatchObject({ complete: true, counts: { RELEASED } });
    expect(all.items).toHaveLength(RELEASED);
  });

  it('counts with Select COUNT, with and without a status', async () => {
    const q = await queries();
    expect(await q.count()).toEqual({ count: RECORDS, scanned: RECORDS });
    expect((await q.count({ status: 'RELEASED' })).count).toBe(RELEASED);
    expect((await showLedger(aws.clients, { ledgerTable: TABLE, count: true, status: 'COMPLETED' })).count).toBe(RECORDS - RELEASED);
  });

  it('reads keys by key, with no scan, and names the keys that have no record', async () => {
    const keys = ['key-7', 'key-1199', 'nope', ...Array.from({ length: 150 }, (_, i) => `key-${i + 200}`)];
    // With a consumer, by id: its record and one from before consumers (these are such records).
    const r = await showLedger(aws.clients, { ledgerTable: TABLE, keys, consumer: 'q' });
    expect(r.items).toHaveLength(152);
    expect(r.missing).toEqual(['nope']);
    expect(r.pagesRead).toBe(0);
    // Without one: every consumer's records of the keys, by a scan DynamoDB filters (at most 100 keys).
    const any = await showLedger(aws.clients, { ledgerTable: TABLE, keys: keys.slice(0, 3) });
    expect(any.items.map((i) => i.key).sort()).toEqual(['key-1199', 'key-7']);
    expect(any.missing).toEqual(['nope']);
    await expect(showLedger(aws.clients, { ledgerTable: TABLE, keys })).rejects.toThrow(/at most 100 keys at once without --consumer/);
    expect(r.items.find((i) => i.id === 'key-7')?.status).toBe('RELEASED');
  });
});
