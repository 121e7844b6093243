/**
 * The command line: the table of commands, the global options and the wiring. Each command
 * declares its own options beside it (commands/<name>.options.ts); its action lazily imports
 * its run module, so `sqsops --help` loads commander and the option tables only.
 */
import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version.js';
import { UsageError } from '../core/errors.js';
import { DEFAULTS } from '../config.js';
import type { CommandContext, GlobalOptions } from './context.js';
import { type DeclareCommand, examples, showResolvedLater } from './options.js';
import { declareClear } from './commands/clear.options.js';
import { declareCompletion } from './commands/completion.options.js';
import { declareConsume } from './commands/consume.options.js';
import { declareDownloadUrls } from './commands/downloadUrls.options.js';
import { declareLoad } from './commands/load.options.js';
import { declareLocal } from './commands/local.options.js';
import { declareMove } from './commands/move.options.js';
import { declareProcessSqs } from './commands/processSqs.options.js';
import { declareProduce } from './commands/produce.options.js';
import { declarePurge } from './commands/purge.options.js';
import { declareRedriveDlq } from './commands/redriveDlq.options.js';
import { declareSetup } from './commands/setup.options.js';
import { declareShow } from './commands/show.options.js';
import { declareStats } from './commands/stats.options.js';
import { declareTail } from './commands/tail.options.js';
import { declareTasks } from './commands/tasks.options.js';

export type CommandName =
  | 'produce'
  | 'consume'
  | 'process-sqs'
  | 'tasks'
  | 'stats'
  | 'redrive-dlq'
  | 'show'
  | 'clear'
  | 'setup'
  | 'local'
  | 'download-urls'
  | 'purge'
  | 'move'
  | 'load'
  | 'tail'
  | 'completion';

/** The action every command runs: by default, import its module and call `run`. */
export type Dispatch = (name: CommandName, options: Record<string, unknown>, globals: GlobalOptions, args: string[]) => Promise<void>;

export interface CommandModule {
  // `never`: each command declares its own flags type, which commander's option table (defaults, parsers) fills.
  run(options: never, ctx: CommandContext, args: string[]): Promise<void>;
}

/** A command: its option table (loaded by --help) and its run module (loaded only when it runs). */
export interface CommandEntry {
  declare: DeclareCommand;
  load: () => Promise<CommandModule>;
}

/** Every command, in the order --help lists them: the table of contents. */
export const COMMANDS: Record<CommandName, CommandEntry> = {
  produce: { declare: declareProduce, load: () => import('./commands/produce.js') },
  consume: { declare: declareConsume, load: () => import('./commands/consume.js') },
  'process-sqs': { declare: declareProcessSqs, load: () => import('./commands/processSqs.js') },
  tasks: { declare: declareTasks, load: () => import('./commands/tasks.js') },
  stats: { declare: declareStats, load: () => import('./commands/stats.js') },
  show: { declare: declareShow, load: () => import('./commands/show.js') },
  clear: { declare: declareClear, load: () => import('./commands/clear.js') },
  setup: { declare: declareSetup, load: () => import('./commands/setup.js') },
  'download-urls': { declare: declareDownloadUrls, load: () => import('./commands/downloadUrls.js') },
  'redrive-dlq': { declare: declareRedriveDlq, load: () => import('./commands/redriveDlq.js') },
  move: { declare: declareMove, load: () => import('./commands/move.js') },
  purge: { declare: declarePurge, load: () => import('./commands/purge.js') },
  load: { declare: declareLoad, load: () => import('./commands/load.js') },
  local: { declare: declareLocal, load: () => import('./commands/local.js') },
  tail: { declare: declareTail, load: () => import('./commands/tail.js') },
  completion: { declare: declareCompletion, load: () => import('./commands/completion.js') },
};

/** The program itself: its description, version and the global options every command takes. */
function declareGlobals(): Command {
  const program = new Command('sqsops')
    // Commands throw instead of exiting: the entry owns the exit code (and tests parse safely).
    .exitOverride()
    .description(
      'Operate Amazon SQS pipelines: produce, consume, process, inspect and reset the idempotency ledger.\nWith no AWS configured, every command runs on an embedded local AWS (no account, no Docker).',
    )
    // -v as the AWS CLI has it; -V still works (hidden) for scripts written before.
    .version(VERSION, '-v, --version')
    .addOption(new Option('-V').hideHelp())
    .on('option:V', () => {
      process.stdout.write(`${VERSION}\n`);
      throw new CommanderError(0, 'commander.version', VERSION);
    })
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint (targets it as AWS)')
    .option('--region <region>', `AWS region (default: AWS_REGION, the profile, or ${DEFAULTS.region} locally)`)
    .option('--profile <name>', 'AWS named profile (targets real AWS)')
    .addOption(
      new Option('--output <format>', 'results on stdout as: table (for people), json, or ndjson (one JSON object a line)').choices([
        'table',
        'json',
        'ndjson',
      ]),
    )
    .option('--json', 'the same as --output json')
    .option('-q, --quiet', 'no progress or notes on stderr')
    .option('--debug', 'show stack traces and SDK details on errors')
    .option('-y, --yes', 'confirm destructive actions without asking')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .option('--wide', 'tables show every cell whole (bodies, long values), even past the terminal width')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', examples(['sqsops produce --count 100', 'sqsops consume --count 10', 'sqsops show', 'sqsops local status']));
  // Set before the commands are declared: each copies the program's help settings.
  return showResolvedLater(program);
}

/** The action of a command: split the global options from its own, then dispatch. */
function action(name: CommandName, dispatch: Dispatch) {
  return async function act(this: Command, ...args: unknown[]) {
    const cmd = args[args.length - 1] as Command;
    const positional =
      name === 'local'
        ? [cmd.name()]
        : args
            .slice(0, -2)
            .flat()
            .filter((a): a is string => typeof a === 'string');
    const { endpointUrl, region, profile, json, output, quiet, debug, yes, color, wide, V: _v, ...options } = cmd.optsWithGlobals();
    if (json && output && output !== 'json') {
      throw new UsageError(`--json is --output json; it cannot go with --output ${output}`, { hint: 'give one of them' });
    }
    const format = output ?? (json ? 'json' : undefined);
    const globals: GlobalOptions = { endpointUrl, region, profile, json, output: format, quiet, debug, yes, color, wide };
    await dispatch(name, options, globals, positional);
  };
}

export function buildProgram(dispatch: Dispatch): Command {
  const program = declareGlobals();
  for (const [name, { declare }] of Object.entries(COMMANDS) as [CommandName, CommandEntry][]) {
    const command = declare(program);
    // A command with subcommands (local) runs through them: each is an entry point of the same module.
    const runnable = command.commands.length ? command.commands : [command];
    for (const c of runnable) c.action(action(name, dispatch));
  }
  return program;
}

/** The default dispatch: import the command's module and run it. */
export function moduleDispatch(makeContext: (globals: GlobalOptions) => Promise<CommandContext & { close(): void }>): Dispatch {
  return async (name, options, globals, args) => {
    const ctx = await makeContext(globals);
    try {
      const mod = await COMMANDS[name].load();
      await mod.run(options as never, ctx, args);
    } finally {
      ctx.close();
    }
  };
}
