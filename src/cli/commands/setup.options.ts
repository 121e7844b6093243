import { DEFAULTS } from '../../config.js';
import { type CommandSpec, bucketOption, examples, intOption, pathOption, tableOption } from '../options.js';

const d = DEFAULTS.setup;

/** `sqsops setup`: its options and help (the run is in setup.ts, imported only when it runs). */
export const setup: CommandSpec = {
  usage: 'setup [options]',
  description: 'create queues (with DLQs), the ledger table and the bucket; idempotent',
  declare: (command) =>
    command
      .addOption(pathOption('--config <file>', 'topology as JSON: {"queues": [...], "ledgerTable": "...", "bucket": "..."}'))
      .option('--queue <name...>', 'queues to create (a name ending in .fifo makes a FIFO queue)')
      .addOption(
        intOption('--max-receive-count <n>', 'receives before a message moves to the DLQ', { min: 1, max: 1000 }, d.maxReceiveCount),
      )
      .option('--no-dlq', 'create the queues without a DLQ')
      .addOption(intOption('--visibility-timeout <seconds>', 'queue visibility timeout', { min: 0, max: 43_200 }, d.visibilityTimeout))
      .addOption(intOption('--wait-time <seconds>', 'queue long-poll wait (0-20)', { min: 0, max: 20 }, d.waitTime))
      .addOption(intOption('--retention <seconds>', 'message retention', { min: 60, max: 1_209_600 }, d.retention))
      .option('--content-based-dedup', 'FIFO queues deduplicate by body hash')
      .addOption(tableOption())
      .addOption(bucketOption('bucket'))
      .option('--topic <name>', 'an SNS topic that fans out to every --queue (with the queue policy that lets it send)')
      .option('--raw-delivery', 'with --topic: deliver messages without the SNS envelope')
      .option('--dry-run', 'print the plan, change nothing')
      .addHelpText(
        'after',
        examples([
          'sqsops setup --queue orders.fifo --content-based-dedup --max-receive-count 3',
          'sqsops setup --queue orders-processing orders-logistics --topic orders-events',
        ]),
      ),
};
