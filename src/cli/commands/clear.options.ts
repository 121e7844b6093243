import { type CommandSpec, examples, tableOption } from '../options.js';

/** `sqsops clear`: its options and help (the run is in clear.ts, imported only when it runs). */
export const clear: CommandSpec = {
  usage: 'clear [options]',
  description: "delete every record in the idempotency ledger, or one consumer's (asks first on real AWS)",
  declare: (command) =>
    command
      .addOption(tableOption())
      .option('--consumer <name>', "only this consumer's records (records from before consumers stay)")
      .addHelpText('after', examples(['sqsops clear --consumer orders-billing', 'sqsops clear'])),
};
