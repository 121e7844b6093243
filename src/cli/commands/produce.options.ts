import { DEFAULTS } from '../../config.js';
import { type CommandSpec, examples, intOption, pathOption, queueOption, ratioOption } from '../options.js';

const d = DEFAULTS.produce;

/** `sqsops produce`: its options and help (the run is in produce.ts, imported only when it runs). */
export const produce: CommandSpec = {
  usage: 'produce [options]',
  description: 'send fake but realistic events (or a file of bodies) to a queue',
  declare: (command) =>
    command
      .addOption(queueOption('queue to send to'))
      .option('--topic <name|arn>', 'publish through this SNS topic instead (PublishBatch), fanning out to its subscriptions')
      .addOption(intOption('-n, --count <n>', 'how many events to generate', { min: 1, max: 10_000_000 }, d.count))
      .option('--template <name>', 'event template', d.template)
      .addOption(
        pathOption(
          '--from-file <path>',
          'send these bodies instead: a JSON array or NDJSON, - for stdin; an export (consume --out) keeps attributes, group and dedup id',
        ),
      )
      .addOption(intOption('--seed <n>', 'seed for reproducible data', { min: 0 }))
      .addOption(intOption('-c, --concurrency <n>', 'batches in flight at once', { min: 1, max: 256 }, d.concurrency))
      .option('--group-by <field>', 'FIFO: body field used as MessageGroupId')
      .option('--dedup-id <mode>', 'FIFO: hash | random | <field> (default: content-based if the queue has it, else hash)')
      .addOption(ratioOption('--duplicates <ratio>', 'ratio of resent events (same business key), for testing', d.duplicates))
      .addOption(ratioOption('--invalid <ratio>', 'ratio of poison bodies, for testing', d.invalid))
      .option(
        '--large-payload-bucket <name>',
        'store bodies over the threshold in this S3 bucket and send a pointer (SQS Extended Client format; default: SQSOPS_LARGE_PAYLOAD_BUCKET)',
      )
      .addOption(
        intOption(
          '--large-payload-threshold <bytes>',
          'with a bucket: body plus attributes over this size go to S3',
          { min: 1, max: d.largePayloadThreshold },
          d.largePayloadThreshold,
        ),
      )
      .option(
        '--trace',
        'OpenTelemetry: a span per message, its traceparent in a message attribute (default: SQSOPS_TRACE, or on with OTEL_EXPORTER_OTLP_ENDPOINT)',
      )
      .addHelpText(
        'after',
        examples([
          'sqsops produce --count 1000 --duplicates 0.05 --invalid 0.01',
          'sqsops produce --queue orders.fifo --group-by customerId',
        ]),
      ),
};
