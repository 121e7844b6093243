/**
 * The command line: the table of commands, the global options and the wiring. Each command
 * declares its own options beside it (commands/<name>.options.ts); its action lazily imports
 * its run module, so `sqsops --help` loads commander and the option tables only.
 */
import { Command, CommanderError, Help, Option } from 'commander';
import { VERSION } from '../version.js';
import { UsageError } from '../core/errors.js';
import { DEFAULTS } from '../config.js';
import type { CommandContext, GlobalOptions } from './context.js';
import { type CommandSpec, describeOption, examples } from './options.js';
import { clear } from './commands/clear.options.js';
import { completion } from './commands/completion.options.js';
import { consume } from './commands/consume.options.js';
import { downloadUrls } from './commands/downloadUrls.options.js';
import { load } from './commands/load.options.js';
import { local } from './commands/local.options.js';
import { move } from './commands/move.options.js';
import { processSqs } from './commands/processSqs.options.js';
import { produce } from './commands/produce.options.js';
import { purge } from './commands/purge.options.js';
import { redriveDlq } from './commands/redriveDlq.options.js';
import { setup } from './commands/setup.options.js';
import { show } from './commands/show.options.js';
import { stats } from './commands/stats.options.js';
import { tail } from './commands/tail.options.js';
import { tasks } from './commands/tasks.options.js';

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

/** A command: its declaration (loaded by --help) and its run module (loaded only when it runs). */
export interface CommandEntry {
  spec: CommandSpec;
  load: () => Promise<CommandModule>;
}

/** Every command, in the order --help lists them: the table of contents. */
export const COMMANDS: Record<CommandName, CommandEntry> = {
  produce: { spec: produce, load: () => import('./commands/produce.js') },
  consume: { spec: consume, load: () => import('./commands/consume.js') },
  'process-sqs': { spec: processSqs, load: () => import('./commands/processSqs.js') },
  tasks: { spec: tasks, load: () => import('./commands/tasks.js') },
  stats: { spec: stats, load: () => import('./commands/stats.js') },
  show: { spec: show, load: () => import('./commands/show.js') },
  clear: { spec: clear, load: () => import('./commands/clear.js') },
  setup: { spec: setup, load: () => import('./commands/setup.js') },
  'download-urls': { spec: downloadUrls, load: () => import('./commands/downloadUrls.js') },
  'redrive-dlq': { spec: redriveDlq, load: () => import('./commands/redriveDlq.js') },
  move: { spec: move, load: () => import('./commands/move.js') },
  purge: { spec: purge, load: () => import('./commands/purge.js') },
  load: { spec: load, load: () => import('./commands/load.js') },
  local: { spec: local, load: () => import('./commands/local.js') },
  tail: { spec: tail, load: () => import('./commands/tail.js') },
  completion: { spec: completion, load: () => import('./commands/completion.js') },
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
  return program.configureHelp({
    optionDescription(this: Help, option: Option) {
      return describeOption(this, option);
    },
    // The command list shows each command's usage from its spec, declared or not yet.
    subcommandTerm(this: Help, command: Command) {
      return usages.get(command) ?? Help.prototype.subcommandTerm.call(this, command);
    },
    // `sqsops help produce` shows a command's help without running it: declare it first.
    formatHelp(this: Help, command: Command, helper: Help) {
      declareNow(command);
      return Help.prototype.formatHelp.call(this, command, helper);
    },
  });
}

const usages = new WeakMap<Command, string>();
/** Commands declared by name only (buildProgram's `lazy`), and what declares the rest. */
const pending = new WeakMap<Command, () => void>();

/**
 * A lone `--no-x` means x is true unless given: commander sets that as it prepares a command
 * to parse, which for a lazy command is before the hook that declares its options.
 */
function trueUnlessNegated(command: Command): void {
  const longs = new Set(command.options.map((o) => o.long));
  for (const o of command.options) {
    const lone = o.negate && !longs.has(o.long!.replace(/^--no-/, '--'));
    if (lone && o.defaultValue === undefined && command.getOptionValue(o.attributeName()) === undefined) {
      command.setOptionValueWithSource(o.attributeName(), true, 'default');
    }
  }
}

function declareNow(command: Command): void {
  const declare = pending.get(command);
  pending.delete(command);
  declare?.();
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

/**
 * The program. `lazy` (the CLI's own start): each command is declared by its usage and
 * description only, and the rest (its options, most of the cost) when it runs or shows its
 * help; `sqsops --help` then declares no command's options.
 */
export function buildProgram(dispatch: Dispatch, { lazy = false }: { lazy?: boolean } = {}): Command {
  const program = declareGlobals();
  for (const [name, { spec }] of Object.entries(COMMANDS) as [CommandName, CommandEntry][]) {
    const command = program.command(spec.usage.split(' ')[0]!).description(spec.description);
    usages.set(command, spec.usage);
    const declare = () => {
      spec.declare(command);
      // A command with subcommands (local) runs through them: each is an entry point of the same module.
      for (const c of command.commands.length ? command.commands : [command]) c.action(action(name, dispatch));
    };
    if (lazy) pending.set(command, declare);
    else declare();
  }
  if (lazy) {
    program.hook('preSubcommand', (_program, command) => {
      declareNow(command);
      trueUnlessNegated(command);
    });
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
