import { type CommandSpec, examples, pathOption } from '../options.js';
import { addTransferOptions } from './transfer.options.js';

/** `sqsops move`: its options and help (the run is in move.ts, imported only when it runs). */
export const move: CommandSpec = {
  usage: 'move [options]',
  description: 'move (or --copy) messages from any queue to another queue, in any region or account, or to an NDJSON file',
  declare: (command) =>
    addTransferOptions(
      command
        .requiredOption('--from <name|url>', 'the queue to take messages from')
        .addOption(
          pathOption(
            '--to <queue|url|file>',
            'a queue name, a queue URL (its region is read from it), or a file (.ndjson/.jsonl, or a path with /)',
          ).makeOptionMandatory(),
        )
        .option('--copy', 'leave the source in place: each copied message is made visible again (its receive count rises by one)')
        .option('--to-profile <name>', 'AWS profile of the destination account (--to a queue URL)'),
    ).addHelpText(
      'after',
      examples([
        'sqsops move --from sqsops-events --to backup.ndjson --copy --wait 1',
        'sqsops move --from sqsops-events-dlq --to sqsops-events --max 100 --wait 1',
      ]),
    ),
};
