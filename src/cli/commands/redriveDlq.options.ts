import { Option } from 'commander';
import { type CommandSpec, examples } from '../options.js';
import { addTransferOptions } from './transfer.options.js';

/** `sqsops redrive-dlq`: its options and help (the run is in redriveDlq.ts, imported only when it runs). */
export const redriveDlq: CommandSpec = {
  usage: 'redrive-dlq [options]',
  description: "move messages out of a DLQ, back to their source queue or to --to: SQS's move task, or by hand (filter, max, dry run)",
  declare: (command) =>
    addTransferOptions(
      command
        .requiredOption('--from <name|url>', 'the DLQ to move messages out of')
        .option('--to <name|url>', 'destination (default: the queue whose redrive policy names the DLQ)'),
      { byHand: true, afterRate: [new Option('--manual', "move by hand even where SQS's move task could")] },
    ).addHelpText(
      'after',
      examples([
        'sqsops redrive-dlq --from sqsops-events-dlq --wait 1',
        'sqsops redrive-dlq --from sqsops-events-dlq --filter attr.eventType=OrderCreated --max 100 --dry-run --wait 1',
      ]),
    ),
};
