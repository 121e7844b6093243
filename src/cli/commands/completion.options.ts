import type { Command } from 'commander';
import { examples } from '../options.js';

/** `sqsops completion`: its help (the run is in completion.ts, imported only when it runs). */
export function declareCompletion(program: Command): Command {
  return program
    .command('completion <shell>')
    .description('print a shell completion script (bash, zsh or fish), generated from these commands and options')
    .addHelpText(
      'after',
      examples([
        'sqsops completion fish > ~/.config/fish/completions/sqsops.fish',
        'eval "$(sqsops completion bash)"          # in ~/.bashrc',
      ]),
    );
}
