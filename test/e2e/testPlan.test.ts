/**
 * An e-commerce pipeline's test plan, end to end on the embedded local AWS with the
 * built CLI: a burst through the SNS fan-out drains with nothing lost; a backlog built
 * while consumers are stopped drains on restart; forced failures (contract breaks)
 * route to the DLQ; duplicates are stored once and FIFO order per group holds under
 * redelivery; a contract break is rejected into the DLQ and redriven after the fix.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, parseJson, ROOT, type CliHome, type LocalStatusJson, type ProcessSqsJson } from '../helpers/cli.js';
import type { ConsumeResult } from '../../src/features/consume/consume.js';
import type { ShowResult } from '../../src/features/ledger/ledgerOps.js';
import type { RedriveResult } from '../../src/features/move/redrive.js';
import type { ProduceResult } from '../../src/features/produce/produce.js';

let cli: CliHome;
beforeAll(() => {
  cli = newHome();
});
afterAll(async () => cli.cleanup());

async function ok(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = await cli.run(args, { env });
  if (r.code !== 0) throw new Error(`sqsops ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}
async function depths(): Promise<Record<string, number>> {
  const status = parseJson<LocalStatusJson>((await ok(['local', 'status', '--json'])).stdout);
  return Object.fromEntries(status.queues.map((q) => [q.name, q.visible + q.inFlight]));
}

describe('an e-commerce test plan', () => {
  it('drains a burst published through the fan-out with nothing lost', async () => {
    const topology = join(cli.home, 'ecom.json');
    writeFileSync(
      topology,
      JSON.stringify({
        queues: ['cola-procesamiento-pedidos', 'cola-actualizacion-logistica'],
        topics: [
          {
            name: 'pedidos-eventos',
            subscriptions: ['cola-procesamiento-pedidos', { queue: 'cola-actualizacion-logistica', rawDelivery: true }],
          },
        ],
        ledgerTable: 'pedidos-ledger',
      }),
    );
    await ok(['setup', '--config', topology]);
    const burst = parseJson<ProduceResult>(
      (await ok(['produce', '--topic', 'pedidos-eventos', '--count', '1500', '--concurrency', '16', '--json'])).stdout,
    );
    expect(burst.sent).toBe(1500);
    // Ledger tables other than the default are made by setup: from the CLI a typo creates nothing.
    for (const queue of ['cola-procesamiento-pedidos', 'cola-actualizacion-logistica']) await ok(['setup', '--table', `${queue}-ledger`]);
    const runs = await Promise.all(
      ['cola-procesamiento-pedidos', 'cola-actualizacion-logistica'].map(async (queue) =>
        parseJson<ProcessSqsJson>(
          (
            await ok([
              'process-sqs',
              '--queue',
              queue,
              '--table',
              `${queue}-ledger`,
              '--key',
              'orderId',
              '--concurrency',
              '4',
              '--drain',
              '--wait',
              '2',
              '--json',
            ])
          ).stdout,
        ),
      ),
    );
    expect(runs.map((r) => r.metrics.MessagesSaved)).toEqual([1500, 1500]);
    const d = await depths();
    for (const q of [
      'cola-procesamiento-pedidos',
      'cola-actualizacion-logistica',
      'cola-procesamiento-pedidos-dlq',
      'cola-actualizacion-logistica-dlq',
    ])
      expect(d[q], q).toBe(0);
  });

  it('lets a backlog build while consumers are stopped, and drains it on restart', async () => {
    await ok(['produce', '--queue', 'backlog', '--count', '400']);
    await ok(['local', 'stop']); // the whole "platform" restarts too
    await ok(['produce', '--queue', 'backlog', '--count', '400']);
    expect((await depths()).backlog).toBe(800);
    await ok(['setup', '--table', 'backlog-ledger']);
    const r = parseJson<ProcessSqsJson>(
      (await ok(['process-sqs', '--queue', 'backlog', '--table', 'backlog-ledger', '--drain', '--wait', '2', '--json'])).stdout,
    );
    expect(r.metrics.MessagesSaved).toBe(800);
    expect((await depths()).backlog).toBe(0);
  });

  it('routes forced failures (contract breaks) to the DLQ, bodies unchanged, and stores the rest', async () => {
    const produced = parseJson<ProduceResult>(
      (await ok(['produce', '--queue', 'contract', '--count', '300', '--invalid', '0.2', '--seed', '11', '--json'])).stdout,
    );
    await ok(['setup', '--table', 'contract-ledger']);
    const r = parseJson<ProcessSqsJson>(
      (
        await ok([
          'process-sqs',
          '--queue',
          'contract',
          '--table',
          'contract-ledger',
          '--key',
          'orderId',
          '--schema',
          join(ROOT, 'test/fixtures/schemas/order-v1.json'),
          '--drain',
          '--wait',
          '2',
          '--json',
        ])
      ).stdout,
    );
    expect(r.metrics.InvalidMessages).toBe(produced.injected.invalid);
    expect(r.metrics.MessagesToDLQ).toBe(produced.injected.invalid);
    expect(r.metrics.MessagesSaved).toBe(300 - produced.injected.invalid);
    const d = await depths();
    expect(d['contract-dlq']).toBe(produced.injected.invalid);
    const dead = parseJson<ConsumeResult>(
      (await ok(['consume', '--queue', 'contract-dlq', '--count', '500', '--peek', '--wait', '1', '--json'])).stdout,
    );
    expect(dead.messages.every((m) => typeof m.body === 'string' && m.body.length > 0)).toBe(true);
  });

  it('stores duplicates once and keeps FIFO order per group under redelivery', async () => {
    await ok(['setup', '--queue', 'pedidos.fifo', '--visibility-timeout', '2', '--table', 'fifo-ledger']);
    const inputs = Array.from({ length: 90 }, (_, i) =>
      JSON.stringify({ orderId: `o${String(i).padStart(3, '0')}`, customerId: `c${i % 3}`, seq: i }),
    );
    const resends = inputs.filter((_, i) => i % 7 === 3); // a producer's resends of the same events
    const file = join(cli.home, 'fifo.ndjson');
    writeFileSync(file, [...inputs, ...resends].join('\n'));
    await ok(['produce', '--queue', 'pedidos.fifo', '--from-file', file, '--group-by', 'customerId', '--dedup-id', 'random']);
    const record = join(cli.home, 'order.txt');
    writeFileSync(record, '');
    const env = { RECORD_FILE: record };
    let saved = 0;
    for (let i = 0; i < 6 && saved < 90; i++) {
      const r = await cli.run(
        [
          'process-sqs',
          '--queue',
          'pedidos.fifo',
          '--table',
          'fifo-ledger',
          '--key',
          'orderId',
          '--handler',
          join(ROOT, 'test/fixtures/recordOrder.mjs'),
          '--drain',
          '--wait',
          '3',
          '--json',
        ],
        { env },
      );
      saved += parseJson<ProcessSqsJson>(r.stdout).metrics.MessagesSaved;
    }
    expect(saved).toBe(90);
    const lines = readFileSync(record, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    expect(new Set(lines.map((l) => l[1])).size).toBe(90);
    expect(lines).toHaveLength(90);
    for (const group of ['c0', 'c1', 'c2']) {
      const seqs = lines.filter((l) => l[0] === group).map((l) => Number(l[2]));
      expect(seqs, group).toEqual([...seqs].sort((x, y) => x - y));
    }
    expect((await depths())['pedidos.fifo']).toBe(0);
  });

  it('rejects a contract break into the DLQ, and redrives it once the consumer accepts the new contract', async () => {
    // The producer ships v2 of the event (total as a decimal string) before the consumer knows it.
    const v1 = Array.from({ length: 120 }, (_, i) => ({
      orderId: `v1-${i}`,
      customerId: `c${i % 5}`,
      total: 10 + i,
      items: [{ sku: 'A', quantity: 1 }],
    }));
    const v2 = Array.from({ length: 40 }, (_, i) => ({
      orderId: `v2-${i}`,
      customerId: `c${i % 5}`,
      total: `${20 + i}.50`,
      items: [{ sku: 'B', quantity: 2 }],
    }));
    const file = join(cli.home, 'contract-v2.ndjson');
    writeFileSync(file, [...v1, ...v2].map((e) => JSON.stringify(e)).join('\n'));
    await ok(['produce', '--queue', 'contrato', '--from-file', file]);
    await ok(['setup', '--table', 'contrato-ledger']);
    const consume = (schema: string) =>
      ok([
        'process-sqs',
        '--queue',
        'contrato',
        '--table',
        'contrato-ledger',
        '--key',
        'orderId',
        '--schema',
        join(ROOT, `test/fixtures/schemas/${schema}`),
        '--drain',
        '--wait',
        '2',
        '--json',
      ]);
    const before = parseJson<ProcessSqsJson>((await consume('order-v1.json')).stdout).metrics;
    expect(before).toMatchObject({ MessagesSaved: 120, InvalidMessages: 40, MessagesToDLQ: 40 });
    expect((await depths())['contrato-dlq']).toBe(40);

    const dry = parseJson<RedriveResult>(
      (await ok(['redrive-dlq', '--from', 'contrato-dlq', '--dry-run', '--wait', '1', '--json'])).stdout,
    );
    expect(dry).toMatchObject({ dryRun: true, moved: 0, destination: 'contrato' });
    expect(dry.wouldMove).toHaveLength(40);
    expect((await depths())['contrato-dlq']).toBe(40);

    // The fix: the consumer deploys the v2 schema; then the dead letters go back.
    const moved = parseJson<RedriveResult>((await ok(['redrive-dlq', '--from', 'contrato-dlq', '--wait', '1', '--json'])).stdout);
    expect(moved).toMatchObject({ moved: 40, failed: [], destination: 'contrato', left: { visible: 0, inFlight: 0 } });
    const after = parseJson<ProcessSqsJson>((await consume('order-v2.json')).stdout).metrics;
    expect(after).toMatchObject({ MessagesSaved: 40, InvalidMessages: 0, MessagesToDLQ: 0 });
    const ledger = parseJson<ShowResult>((await ok(['show', '--table', 'contrato-ledger', '--json', '--limit', '1000'])).stdout);
    expect(ledger.counts).toEqual({ COMPLETED: 160 });
    expect(ledger.items.filter((i) => i.key?.startsWith('v2-'))).toHaveLength(40);
    const d = await depths();
    expect([d.contrato, d['contrato-dlq']]).toEqual([0, 0]);
  });
});
