/** The worker's Prometheus registry: its names, and counters that are the run's own numbers. */
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/core/metrics.js';
import { snakeCase, workerRegistry } from '../../src/features/process/prometheus.js';

describe('snakeCase', () => {
  it.each([
    ['MessagesReceived', 'messages_received'],
    ['MessagesToDLQ', 'messages_to_dlq'],
    ['DynamoDBCheckError', 'dynamodb_check_error'],
    ['SQSDLQSendError', 'sqs_dlq_send_error'],
    ['SQSDeleteError', 'sqs_delete_error'],
  ])('%s is %s', (name, snake) => {
    expect(snakeCase(name)).toBe(snake);
  });
});

const sample = (text: string, name: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : undefined;
};

describe('workerRegistry', () => {
  it("shows the run's counters as they are at each scrape, and unknown gauges as NaN", async () => {
    const metrics = new Metrics();
    const unknown = { visible: null, notVisible: null, delayed: null, oldestAgeSeconds: null };
    const worker = await workerRegistry(metrics, () => unknown);
    metrics.inc('MessagesReceived', 3);
    metrics.inc('SinkError.s3');
    expect(sample(await worker.registry.metrics(), 'sqsops_messages_received_total')).toBe(3);
    metrics.inc('MessagesReceived', 2);
    const text = await worker.registry.metrics();
    expect(sample(text, 'sqsops_messages_received_total')).toBe(5);
    expect(text).toContain('sqsops_sink_errors_total{sink="s3"} 1');
    expect(sample(text, 'sqsops_in_flight_messages')).toBeNaN();
    expect(sample(text, 'sqsops_queue_oldest_message_age_seconds')).toBeNaN();
    expect(sample(text, 'sqsops_queue_backlog_per_poller')).toBeNaN();
    expect(sample(text, 'sqsops_target_age_seconds')).toBeNaN();
  });

  it('reads the live state once attached, labelled with the queue, and counts latencies per message', async () => {
    const worker = await workerRegistry(new Metrics(), () => ({ visible: 7, notVisible: 2, delayed: 0, oldestAgeSeconds: 41 }));
    worker.attach({
      queueName: 'orders',
      queueUrl: 'http://x/000000000000/orders',
      inFlight: () => 4,
      leases: () => 3,
      pollers: () => 8,
      targetAgeSeconds: 30,
    });
    worker.observe(10, 0.2);
    const text = await worker.registry.metrics();
    expect(text).toContain('sqsops_in_flight_messages{queue="orders"} 4');
    expect(text).toContain('sqsops_leases{queue="orders"} 3');
    expect(text).toContain('sqsops_pollers{queue="orders"} 8');
    expect(text).toContain('sqsops_queue_visible_messages{queue="orders"} 7');
    expect(text).toContain('sqsops_queue_oldest_message_age_seconds{queue="orders"} 41');
    // Scale hints: 7 waiting over 8 pollers, against the 30 s target.
    expect(text).toContain('sqsops_queue_backlog_per_poller{queue="orders"} 0.875');
    expect(text).toContain('sqsops_target_age_seconds{queue="orders"} 30');
    expect(text).toContain('sqsops_processing_seconds_count{queue="orders"} 10');
    expect(text).toContain('sqsops_processing_seconds_bucket{le="0.1",queue="orders"} 0');
    expect(text).toContain('sqsops_processing_seconds_bucket{le="0.25",queue="orders"} 10');
  });
});
