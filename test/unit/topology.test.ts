import { describe, expect, it } from 'vitest';
import { attributeChanges, dlqNameFor, parseTopology, queueAttributes } from '../../src/core/topology.js';

describe('parseTopology', () => {
  it('fills defaults: a DLQ per queue with maxReceiveCount 5, 20 s long polling', () => {
    const { config, problems } = parseTopology({
      queues: ['orders', { name: 'pay.fifo', contentBasedDeduplication: true }],
      ledgerTable: 'led',
    });
    expect(problems).toEqual([]);
    expect(config!.queues[0]).toMatchObject({
      name: 'orders',
      fifo: false,
      dlq: { name: 'orders-dlq', maxReceiveCount: 5 },
      waitTimeSeconds: 20,
    });
    expect(config!.queues[1]).toMatchObject({
      name: 'pay.fifo',
      fifo: true,
      dlq: { name: 'pay-dlq.fifo' },
      contentBasedDeduplication: true,
    });
    expect(config!.bucket).toBe(false);
  });

  it('reports every problem with its path', () => {
    const { config, problems } = parseTopology({
      queues: [
        { name: 'a', fifo: true },
        { name: 'b', waitTimeSeconds: 25, colour: 'red' },
        { name: 'c', contentBasedDeduplication: true },
        {},
      ],
      extra: 1,
    });
    expect(config).toBeUndefined();
    expect(problems).toEqual(
      expect.arrayContaining([
        '"extra" is not a setting (known: queues, topics, ledgerTable, bucket)',
        "queues[0]: a FIFO queue's name must end in .fifo (and only a FIFO queue's)",
        'queues[1].waitTimeSeconds must be a whole number from 0 to 20',
        expect.stringMatching(/^queues\[1\]\.colour is not a queue setting/),
        'queues[2].contentBasedDeduplication applies to FIFO queues only',
        'queues[3].name is required',
      ]),
    );
  });

  it('allows no DLQ, a named DLQ and a DLQ object', () => {
    const { config } = parseTopology({
      queues: [
        { name: 'a', dlq: false },
        { name: 'b', dlq: 'dead' },
        { name: 'c', dlq: { maxReceiveCount: 2 } },
      ],
    });
    expect(config!.queues.map((q) => q.dlq)).toEqual([false, { name: 'dead', maxReceiveCount: 5 }, { name: 'c-dlq', maxReceiveCount: 2 }]);
  });
});

describe('queue attributes', () => {
  it('writes the redrive policy with the DLQ ARN', () => {
    const { config } = parseTopology({ queues: [{ name: 'q', maxReceiveCount: 3 }] });
    const attrs = queueAttributes(config!.queues[0]!, 'arn:dlq');
    expect(JSON.parse(attrs.RedrivePolicy!)).toEqual({ deadLetterTargetArn: 'arn:dlq', maxReceiveCount: 3 });
  });

  it('finds no change when SQS returns the same policy with a string count', () => {
    const wanted = { VisibilityTimeout: '30', RedrivePolicy: '{"deadLetterTargetArn":"arn:x","maxReceiveCount":5}' };
    expect(
      attributeChanges({ VisibilityTimeout: '30', RedrivePolicy: '{"maxReceiveCount":"5","deadLetterTargetArn":"arn:x"}' }, wanted),
    ).toEqual({});
    expect(attributeChanges({ VisibilityTimeout: '60' }, wanted)).toEqual(wanted);
  });

  it('names DLQs after their queue, FIFO suffix last', () => {
    expect(dlqNameFor('orders')).toBe('orders-dlq');
    expect(dlqNameFor('orders.fifo')).toBe('orders-dlq.fifo');
  });
});
