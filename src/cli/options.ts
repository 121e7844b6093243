/**
 * The building blocks of every command's option table (src/cli/commands/*.options.ts): typed
 * options that check their value as commander parses it, the options several commands share,
 * and defaults shown from the one table in src/config.ts. Loaded by `--help`: commander and
 * the tables only.
 */
import { type Command, Help, Option } from 'commander';
import { DEFAULTS } from '../config.js';
import { parseIntFlag, parsePathFlag, parseRatioFlag } from '../core/flags.js';

/** One command beside its run module: what the program's command list shows, and the rest of its declaration. */
export interface CommandSpec {
  /** As the program's command list shows it: the name, `[options]` if it has any, its arguments. */
  usage: string;
  description: string;
  /** Its arguments, options, help text and subcommands; the program adds the actions. */
  declare(command: Command): Command;
}

function longName(flags: string): string {
  return /--[\w-]+/.exec(flags)![0];
}

/** A whole-number option: commander hands the command a number, checked here against the range. */
export function intOption(flags: string, description: string, range: { min?: number; max?: number }, dflt?: number): Option {
  const name = longName(flags);
  const option = new Option(flags, description).argParser((raw: string) => parseIntFlag(name, raw, range));
  return dflt === undefined ? option : option.default(dflt);
}

/** A path option: an empty or blank path is a usage error before anything runs; `<x...>` takes several. */
export function pathOption(flags: string, description: string): Option {
  const name = longName(flags);
  const option = new Option(flags, description);
  return option.argParser((raw: string, previous: unknown) => {
    const path = parsePathFlag(name, raw);
    return option.variadic ? [...(Array.isArray(previous) ? previous : []), path] : path;
  });
}

/** A ratio option (0 to 1), as a number. */
export function ratioOption(flags: string, description: string, dflt?: number): Option {
  const name = longName(flags);
  const option = new Option(flags, description).argParser((raw: string) => parseRatioFlag(name, raw));
  return dflt === undefined ? option : option.default(dflt);
}

/** An option that may be given several times: every value, in order. */
export function repeatable(option: Option): Option {
  return option.argParser((v: string, prev: string[] = []) => [...prev, v]);
}

/**
 * A default the command resolves itself, after the environment variable `env` (commander must
 * leave the flag unset, or it would hide the variable): shown in help as commander shows its own.
 */
export function resolvedLater(option: Option, value: string | number | undefined, env?: string): Option {
  option.defaultValueDescription = [env, value].filter((v) => v !== undefined).join(' or ');
  return option;
}

/** An option's text in help as commander writes it, plus the default of `resolvedLater`. */
export function describeOption(help: Help, option: Option): string {
  const text = Help.prototype.optionDescription.call(help, option);
  const later = option.defaultValue === undefined && option.defaultValueDescription;
  return later ? `${text} (default: ${option.defaultValueDescription})` : text;
}

/** `--filter`, repeatable, as move, redrive-dlq and tail read it (core/redriveFilter.ts). */
export function filterOption(): Option {
  return repeatable(
    new Option('--filter <expr>', 'only messages where body.<field>=<value> or attr.<name>=<value> (!= negates); repeat: all must hold'),
  );
}

/** `--queue`: what the command does with it; the default is SQSOPS_QUEUE, then the table. */
export function queueOption(what: string): Option {
  return resolvedLater(new Option('--queue <name|url>', what), DEFAULTS.queue, 'SQSOPS_QUEUE');
}

/** `--table`: the ledger table, as every command that reads or writes the ledger names it. */
export function tableOption(): Option {
  return resolvedLater(new Option('--table <name>', 'ledger table'), DEFAULTS.ledgerTable, 'SQSOPS_LEDGER_TABLE');
}

/** `--bucket`, with what it is for. */
export function bucketOption(what: string): Option {
  return resolvedLater(new Option('--bucket <name>', what), DEFAULTS.bucket, 'SQSOPS_BUCKET');
}

/** Options in the order given. */
export function addOptions(command: Command, options: Option[]): Command {
  for (const option of options) command.addOption(option);
  return command;
}

export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
