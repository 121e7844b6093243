/**
 * consume and process-sqs read a message the same way, as a person runs them: orders
 * published to a topic, taken by hand from one subscriber queue, then processed from the
 * other under the same --consumer: every one is a duplicate, with the same payload.
 */
import { describe, expect, it } from 'vitest';
import { homeForFile, parseJson, runOk, type ProcessSqsJson } from '../helpers/cli.js';
import type { ConsumeResult } from '../../src/features/consume/consume.js';

const cli = homeForFile();

describe('consume and process-sqs under one consumer', () => {
  it('process-sqs sees every order consume took from the other subscriber as a duplicate', async () => {
    await runOk(cli, ['setup', '--queue', 'fanA', 'fanB', '--topic', 'orders-topic']);
    await runOk(cli, ['produce', '--topic', 'orders-topic', '--count', '4', '--seed', '7']);
    const taken = parseJson<ConsumeResult>(
      (await runOk(cli, ['consume', '--queue', 'fanA', '--key', 'orderId', '--count', '4', '--consumer', 'orders', '--json'])).stdout,
    );
    expect(taken).toMatchObject({ consumer: 'orders', taken: 4, recorded: 4, failed: 0, deleted: 4 });
    const bodies = taken.messages.map((m) => JSON.parse(JSON.parse(m.body).Message) as { orderId: string });
    expect(taken.messages.map((m) => m.key)).toEqual(bodies.map((b) => b.orderId));

    const r = await runOk(cli, [
      'process-sqs',
      '--queue',
      'fanB',
      '--key',
      'orderId',
      '--consumer',
      'orders',
      '--drain',
      '--wait',
      '1',
      '--json',
    ]);
    const processed = parseJson<ProcessSqsJson>(r.stdout);
    expect(processed.identity).toBe('received 4 = saved 0 + duplicates 4 + invalid 0 + retried 0 + deferred 0');
    expect(processed.metrics.PayloadMismatch).toBe(0);
  });
});
