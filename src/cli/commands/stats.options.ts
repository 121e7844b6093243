import { Option } from 'commander';
import { DEFAULTS } from '../../config.js';
import { type CommandSpec, examples, resolvedLater } from '../options.js';

const d = DEFAULTS.stats;

/** `sqsops stats`: its options and help (the run is in stats.ts, imported only when it runs). */
export const stats: CommandSpec = {
  usage: 'stats [options] [prefix]',
  description: 'every queue (or those starting with PREFIX): visible, in flight, delayed, and its DLQ depth',
  declare: (command) =>
    command
      .argument('[prefix]')
      .option(
        '--watch [seconds]',
        `refresh every N seconds (default ${d.interval}) until Ctrl-C: redrawn on a terminal, one block per refresh otherwise`,
      )
      .addOption(resolvedLater(new Option('--interval <seconds>', 'with --watch: seconds between refreshes'), d.interval))
      .option('--workers <n>', 'show the backlog per worker: visible and delayed messages divided by N workers')
      .option('--target-age <seconds>', 'mark the oldest message OVER or ok against this age')
      .addHelpText('after', examples(['sqsops stats', 'sqsops stats sqsops- --workers 4 --target-age 120'])),
};
