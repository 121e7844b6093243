import type { Command } from 'commander';
import { DEFAULTS } from '../../config.js';
import { type CommandSpec, examples, intOption } from '../options.js';

/** `local`'s subcommands without options of their own: name, description, help examples. */
const SUBCOMMANDS: [string, string, string[]][] = [
  ['stop', 'stop it; its state stays on disk', ['sqsops local stop']],
  ['status', 'endpoint, pid, state dir, and every queue with its depth', ['sqsops local status']],
  [
    'env',
    'print its endpoint and credentials as shell exports, for the AWS CLI and SDK scripts',
    ['sqsops local env', 'eval "$(sqsops local env)"; aws sqs list-queues'],
  ],
  ['reset', 'stop it and delete all its state (queues, messages, tables, objects)', ['sqsops local reset --yes']],
];

function declare(local: Command): Command {
  local.addHelpText('after', examples(['sqsops local status', 'sqsops local stop']));
  const idle = DEFAULTS['local start'].idleMinutes;
  local
    .command('start')
    .description('start it in the background (commands also start it on demand)')
    .addOption(intOption('--idle-minutes <n>', 'exit after this long without requests (0 = never)', { min: 0, max: 10_080 }, idle))
    .addHelpText('after', examples(['sqsops local start', 'sqsops local start --idle-minutes 60']));
  for (const [name, description, lines] of SUBCOMMANDS) {
    local.command(name).description(description).addHelpText('after', examples(lines));
  }
  return local;
}

/** `sqsops local` and its subcommands (the run is in local.ts, imported only when it runs). */
export const local: CommandSpec = {
  usage: 'local',
  description: 'manage the embedded local AWS (fauxqs + dynalite on 127.0.0.1)',
  declare,
};
