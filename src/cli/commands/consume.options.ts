import { DEFAULTS } from '../../config.js';
import { type CommandSpec, examples, intOption, pathOption, queueOption, tableOption } from '../options.js';

const d = DEFAULTS.consume;

/** `sqsops consume`: its options and help (the run is in consume.ts, imported only when it runs). */
export const consume: CommandSpec = {
  usage: 'consume [options]',
  description: 'take N messages: record each in the ledger, delete it, show it',
  declare: (command) =>
    command
      .addOption(queueOption('queue to take from'))
      .addOption(intOption('-n, --count <n>', 'at most this many messages', { min: 1, max: 1_000_000 }, d.count))
      .option('--peek', 'only look: no ledger, no delete, visible again at once (receive counts still rise)')
      .addOption(
        intOption('--wait <seconds>', 'long-poll wait for the first message; stops once the queue is empty', { min: 0, max: 20 }, d.wait),
      )
      .option('--key <spec>', 'idempotency key: messageId, a body field (orderId), or a template "{orderId}#{version}"', d.key)
      .option('--consumer <name>', "whose ledger records these are, as process-sqs's (default: SQSOPS_CONSUMER or the queue's name)")
      .option('--keep-payloads', 'large payloads: keep the S3 object of each consumed pointer message (default: deleted with the message)')
      .addOption(
        pathOption(
          '--out <file>',
          'also append every message to this NDJSON file as an export record (body, attributes, group, dedup id; written before the delete)',
        ),
      )
      .addOption(tableOption())
      .addOption(
        pathOption('--schema <file>', 'JSON Schema every body must match, else it stays on the queue (default: the template schemas)'),
      )
      .option('--no-schema', 'check no schema, not even the template schemas')
      .addHelpText('after', examples(['sqsops consume --count 5', 'sqsops consume --count 100 --peek --json'])),
};
