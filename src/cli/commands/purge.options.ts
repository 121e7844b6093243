import type { Command } from 'commander';
import { examples } from '../options.js';

/** `sqsops purge`: its help (the run is in purge.ts, imported only when it runs). */
export function declarePurge(program: Command): Command {
  return program
    .command('purge <queue>')
    .description('delete every message in a queue (SQS PurgeQueue; asks first on real AWS); reports how many it removed')
    .addHelpText('after', examples(['sqsops purge sqsops-events', 'sqsops purge sqsops-events-dlq --json']));
}
