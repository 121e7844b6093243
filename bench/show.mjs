#!/usr/bin/env node
/**
 * `show` on a large ledger, beside a full scan, in one run on the same emulator: `show
 * --limit 10` (a Scan that stops once it has 10), `show KEY` (BatchGetItem), `show --count`
 * (Select: COUNT, every page, no record sent) and a full Scan of every record (what `show`
 * used to read for any limit). Pages read and time for each, the load average beside them.
 * Usage: npm run bench:show [-- --records 100000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { showLedger } from '../dist/index.js';
import { ensureLocalAws, localCredentials, stopLocalAws, createClients } from '../dist/testing.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' } } });
const N = Number(values.records);
const TABLE = 'bench-ledger';
const home = mkdtempSync(join(tmpdir(), 'sqsops-bench-show-'));
const { server } = await ensureLocalAws({ home, port: 0, idleMinutes: 10 });
const config = { endpoint: server.endpoint, region: 'us-east-1', credentials: localCredentials(home) };
const doc = DynamoDBDocumentClient.from(new DynamoDBClient(config));
const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: server.endpoint, credentials: localCredentials(home) });

/** A record as process-sqs writes it. */
const record = (i) => ({
  id: `order-${i}`,
  status: i % 50 === 0 ? 'RELEASED' : 'COMPLETED',
  queue: 'sqsops-events',
  messageId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  updatedAt: new Date(Date.UTC(2026, 11, 1) + i * 1000).toISOString(),
  expiresAt: 1_800_000_000,
  payloadHash: 'a'.repeat(64),
  receiveCount: 1,
  source: 'process-sqs',
});

async function seed() {
  await doc.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < N) {
        const base = next;
        next += 25;
        let pending = Array.from({ length: Math.min(25, N - base) }, (_, j) => ({ PutRequest: { Item: record(base + j) } }));
        while (pending.length) {
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: pending } }));
          pending = out.UnprocessedItems?.[TABLE] ?? [];
        }
      }
    }),
  );
}

async function timed(fn) {
  const t0 = performance.now();
  const out = await fn();
  return { ...out, ms: performance.now() - t0, load: loadavg()[0].toFixed(2) };
}

async function fullScan() {
  let pages = 0;
  let items = 0;
  let start;
  do {
    const out = await doc.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
    pages++;
    items += out.Items?.length ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return { pages, items };
}

try {
  const t0 = performance.now();
  await seed();
  console.log(
    `show: a ${N}-record ledger on the local AWS (seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s), Node ${process.version}\n`,
  );
  const rows = [
    ['full Scan (every record, as show read before)', await timed(fullScan)],
    ['show --limit 10', await timed(async () => show({ limit: 10 }))],
    ['show --limit 10 --status RELEASED', await timed(async () => show({ limit: 10, status: 'RELEASED' }))],
    ['show order-17 order-4242 (by key)', await timed(async () => show({ keys: ['order-17', 'order-4242'] }))],
    ['show --count', await timed(async () => show({ count: true }))],
  ];
  console.log('what | pages read | records returned | time | load average (1 min)');
  for (const [name, r] of rows) console.log(`${name} | ${r.pages} | ${r.items} | ${(r.ms / 1000).toFixed(3)} s | ${r.load}`);
  const limit = rows[1][1];
  const full = rows[0][1];
  console.log(
    `\nshow --limit 10: ${limit.pages} page(s) of ${full.pages} (target: a few), ${(full.ms / limit.ms).toFixed(0)}x faster than the full scan`,
  );
} finally {
  doc.destroy();
  clients.destroy();
  await stopLocalAws(home);
  rmSync(home, { recursive: true, force: true });
}

async function show(options) {
  const r = await showLedger(clients, { ledgerTable: TABLE, ...options });
  return { pages: r.pagesRead, items: r.count ?? r.items.length };
}
