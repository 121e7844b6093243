/**
 * The ledger per consumer, as a person runs it: two subscribers of one topic each save
 * every event (the first no longer eats the second's), redeliveries are duplicates per
 * subscriber, a named --consumer spans queues, and show / clear filter by consumer.
 */
import { describe, expect, it } from 'vitest';
import { homeForFile, parseJson, runOk, type ProcessSqsJson } from '../helpers/cli.js';
import type { ShowResult } from '../../src/features/ledger/ledgerOps.js';

const cli = homeForFile();

const processQueue = async (queue: string, ...extra: string[]) => {
  const r = await runOk(cli, ['process-sqs', '--queue', queue, '--key', 'orderId', '--drain', '--wait', '1', '--json', ...extra]);
  return { json: parseJson<ProcessSqsJson>(r.stdout), stderr: r.stderr };
};

describe('fan-out subscribers', () => {
  it('each save every event; a redelivery is a duplicate for each', async () => {
    await runOk(cli, ['setup', '--queue', 'fanA', 'fanB', '--topic', 'orders-topic']);
    await runOk(cli, ['produce', '--topic', 'orders-topic', '--count', '4', '--seed', '7']);
    const a = await processQueue('fanA');
    const b = await processQueue('fanB');
    expect(a.json.identity).toBe('received 4 = saved 4 + duplicates 0 + invalid 0 + retried 0 + deferred 0');
    expect(b.json.identity).toBe('received 4 = saved 4 + duplicates 0 + invalid 0 + retried 0 + deferred 0');
    expect(b.stderr).toMatch(/^ledger consumer: fanB$/m);

    // The same seed makes the same order ids: each subscriber has done them already.
    await runOk(cli, ['produce', '--topic', 'orders-topic', '--count', '4', '--seed', '7']);
    for (const queue of ['fanA', 'fanB']) {
      const again = await processQueue(queue);
      expect(again.json.identity).toBe('received 4 = saved 0 + duplicates 4 + invalid 0 + retried 0 + deferred 0');
    }
  });

  it('shares a named --consumer (or SQSOPS_CONSUMER) between queues: the second sees duplicates', async () => {
    await runOk(cli, ['produce', '--topic', 'orders-topic', '--count', '3', '--seed', '8']);
    expect((await processQueue('fanA', '--consumer', 'billing')).json.metrics.MessagesSaved).toBe(3);
    const r = await cli.run(['process-sqs', '--queue', 'fanB', '--key', 'orderId', '--drain', '--wait', '1', '--json'], {
      env: { SQSOPS_CONSUMER: 'billing' },
    });
    expect(r.code).toBe(0);
    expect(parseJson<ProcessSqsJson>(r.stdout)).toMatchObject({ consumer: 'billing', metrics: { MessagesSaved: 0, DuplicateMessages: 3 } });
  });

  it('shows and clears one consumer at a time', async () => {
    const show = async (...extra: string[]) => parseJson<ShowResult>((await runOk(cli, ['show', '--json', ...extra])).stdout);
    expect((await show()).total).toBe(11);
    const b = await show('--consumer', 'fanB');
    expect(b).toMatchObject({ consumer: 'fanB', total: 4, counts: { COMPLETED: 4 } });
    expect(new Set(b.items.map((i) => i.consumer))).toEqual(new Set(['fanB']));
    const table = await runOk(cli, ['show', '--consumer', 'billing']);
    // Six columns of ids and times do not fit 120 columns whole: one record a message, `name: value` lines.
    expect(table.stdout).toMatch(/^key: +\S+$/m);
    expect(table.stdout).toMatch(/^consumer: +billing$/m);
    expect(table.stderr).toMatch(/^consumer billing in sqsops-ledger: 3 records \(COMPLETED 3\); showing 3, newest first$/m);

    expect((await runOk(cli, ['clear', '--consumer', 'fanA'])).stdout).toBe('deleted 4 records of consumer fanA from sqsops-ledger\n');
    expect((await show()).total).toBe(7);
    expect((await show('--consumer', 'fanA')).total).toBe(0);
  });

  it('refuses a consumer name with a # in one line, before connecting', async () => {
    for (const args of [
      ['show', '--consumer', 'a#b'],
      ['clear', '--consumer', 'a#b'],
      ['process-sqs', '--consumer', 'a#b'],
    ]) {
      const r = await cli.run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: --consumer "a#b" is not a consumer name\nhint: use 1-128 letters/m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).not.toMatch(/^target:/m);
    }
    const env = await cli.run(['consume', '--count', '1'], { env: { SQSOPS_CONSUMER: 'x y' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/^error: SQSOPS_CONSUMER "x y" is not a consumer name$/m);
  });
});
