import { Option } from 'commander';
import { DEFAULTS } from '../../config.js';
import { type CommandSpec, examples, intOption, tableOption } from '../options.js';

/** `sqsops show`: its options and help (the run is in show.ts, imported only when it runs). */
export const show: CommandSpec = {
  usage: 'show [options] [keys...]',
  description: 'look records up in the idempotency ledger: by key, the first N, or a count',
  declare: (command) =>
    command
      .argument('[keys...]', "show these keys' records (read by key, no scan)")
      .addOption(tableOption())
      .addOption(
        intOption(
          '--limit <n>',
          'rows to show: the first the table returns, read no further',
          { min: 1, max: 1_000_000 },
          DEFAULTS.show.limit,
        ),
      )
      .addOption(new Option('--status <status>', 'only rows with this status').choices(['COMPLETED', 'INPROGRESS', 'RELEASED']))
      .option('--consumer <name>', "only this consumer's records (a queue's name, or a --consumer name); with keys, read by id")
      .option('--count', 'count the records (with --status, those with it) instead of listing them')
      .addHelpText('after', examples(['sqsops show --limit 20', 'sqsops show --count --status COMPLETED'])),
};
