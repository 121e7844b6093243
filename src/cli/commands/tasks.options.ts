import { type CommandSpec, examples } from '../options.js';

/** `sqsops tasks`: its options and help (the run is in tasks.ts, imported only when it runs). */
export const tasks: CommandSpec = {
  usage: 'tasks [options] <path...>',
  description: 'check your code for process-sqs --handler/--handlers (files, folders, JSON lists) and list what it holds',
  declare: (command) =>
    command
      .argument('<path...>')
      .option('--failure-task <name>', 'the task to use as the failure task')
      .addHelpText('after', examples(['sqsops tasks examples/tasks', 'sqsops tasks examples/tasks --json'])),
};
