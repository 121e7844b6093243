import { type CommandSpec, examples } from '../options.js';

/** `sqsops purge`: its help (the run is in purge.ts, imported only when it runs). */
export const purge: CommandSpec = {
  usage: 'purge <queue>',
  description: 'delete every message in a queue (SQS PurgeQueue; asks first on real AWS); reports how many it removed',
  declare: (command) =>
    command.argument('<queue>').addHelpText('after', examples(['sqsops purge sqsops-events', 'sqsops purge sqsops-events-dlq --json'])),
};
