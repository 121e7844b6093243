import { DEFAULTS } from '../../config.js';
import { type CommandSpec, examples, filterOption, intOption } from '../options.js';

const DLQ_NOTE = `
Every receive raises a message's receive count, and a message that stays on the queue is
received again at each poll; past the queue's maxReceiveCount it goes to the DLQ. So tail
refuses a queue with a redrive policy unless --duration keeps its polls below that count
(or --force). Nothing is recorded or deleted.
`;

/** `sqsops tail`: its options and help (the run is in tail.ts, imported only when it runs). */
export const tail: CommandSpec = {
  usage: 'tail [options] [queue]',
  description: 'follow messages as they arrive without taking them: each is shown once and made visible again at once',
  declare: (command) =>
    command
      .argument('[queue]')
      .addOption(filterOption())
      .addOption(intOption('-n, --count <n>', 'stop after showing this many', { min: 1 }))
      .addOption(intOption('--duration <seconds>', 'stop after this many seconds', { min: 1, max: 86_400 }))
      .addOption(intOption('--interval <seconds>', 'seconds between polls', { min: 1, max: 3_600 }, DEFAULTS.tail.interval))
      .option('--force', 'start even where the run could push messages to the DLQ (see below)')
      .addHelpText(
        'after',
        `${DLQ_NOTE}${examples([
          'sqsops tail --duration 8',
          'sqsops tail sqsops-events --filter attr.eventType=OrderCreated --output ndjson --duration 8',
        ])}`,
      ),
};
