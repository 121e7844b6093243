import { type CommandSpec, examples } from '../options.js';

/** `sqsops completion`: its help (the run is in completion.ts, imported only when it runs). */
export const completion: CommandSpec = {
  usage: 'completion <shell>',
  description: 'print a shell completion script (bash, zsh or fish), generated from these commands and options',
  declare: (command) =>
    command
      .argument('<shell>')
      .addHelpText(
        'after',
        examples([
          'sqsops completion fish > ~/.config/fish/completions/sqsops.fish',
          'eval "$(sqsops completion bash)"          # in ~/.bashrc',
        ]),
      ),
};
