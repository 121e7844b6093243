import { type Command, Option } from 'commander';
import { examples } from '../options.js';
import { addTransferOptions } from './transfer.options.js';

/** `sqsops redrive-dlq`: its options and help (the run is in redriveDlq.ts, imported only when it runs). */
export function declareRedriveDlq(program: Command): Command {
  const command = program
    .command('redrive-dlq')
    .description("move messages out of a DLQ, back to their source queue or to --to: SQS's move task, or by hand (filter, max, dry run)")
    .requiredOption('--from <name|url>', 'the DLQ to move messages out of')
    .option('--to <name|url>', 'destination (default: the queue whose redrive policy names the DLQ)');
  return addTransferOptions(command, {
    byHand: true,
    afterRate: [new Option('--manual', "move by hand even where SQS's move task could")],
  }).addHelpText(
    'after',
    examples([
      'sqsops redrive-dlq --from sqsops-events-dlq --wait 1',
      'sqsops redrive-dlq --from sqsops-events-dlq --filter attr.eventType=OrderCreated --max 100 --dry-run --wait 1',
    ]),
  );
}
