/**
 * Shell completion scripts, generated from the commander program itself, so a new command,
 * option or choice completes without anyone touching this file. Pure: program in, text out.
 */
import type { Command, Option } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface OptionSpec {
  long?: string;
  short?: string;
  description: string;
  takesValue: boolean;
  choices: string[];
  /** Its value is a file or folder path. */
  path: boolean;
}

interface CommandSpec {
  /** "" for the program, "local", "local start" ... */
  path: string;
  description: string;
  options: OptionSpec[];
  subcommands: string[];
  /** The program's options that also work after this command ([] for the program itself). */
  globals: OptionSpec[];
}

/** A default the command resolves itself (cli/options.ts resolvedLater) is part of what the option says. */
function resolvedLaterText(o: Option): string {
  return o.defaultValue === undefined && o.defaultValueDescription ? ` (default: ${o.defaultValueDescription})` : '';
}

function optionSpec(o: Option): OptionSpec {
  return {
    ...(o.long ? { long: o.long } : {}),
    ...(o.short ? { short: o.short } : {}),
    description: `${o.description.split('\n')[0]!}${resolvedLaterText(o)}`,
    takesValue: o.required || o.optional,
    choices: o.argChoices ?? [],
    path: /<(file|path|dir|folder)[^>]*>/i.test(o.flags),
  };
}

/** Every command of the program, depth first, with its visible options (help included). */
export function describeProgram(program: Command): CommandSpec[] {
  const out: CommandSpec[] = [];
  const visit = (cmd: Command, path: string) => {
    const visible = cmd.options.filter((o) => !o.hidden);
    out.push({
      path,
      description: cmd.description().split('\n')[0]!,
      options: [
        ...visible.map(optionSpec),
        { long: '--help', short: '-h', description: 'show help', takesValue: false, choices: [], path: false },
      ],
      subcommands: cmd.commands.map((c) => c.name()),
      globals: [],
    });
    for (const sub of cmd.commands) visit(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  visit(program, '');
  // The version flags belong to the program alone; every other program option works after a command too.
  const globals = out[0]!.options.filter((o) => o.long !== '--version');
  return out.map((s) => ({ ...s, globals: s.path ? globals.filter((o) => o.long !== '--help') : [] }));
}

const flagsOf = (o: OptionSpec) => [o.long, o.short].filter((f): f is string => f !== undefined);
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function bash(name: string, specs: CommandSpec[]): string {
  const fn = `_${name.replace(/\W/g, '_')}`;
  const cases = (rows: [string, string][]) => rows.map(([k, v]) => `    ${k}) ${v} ;;`).join('\n');
  const withValue = specs.flatMap((s) =>
    [...s.options, ...s.globals].filter((o) => o.takesValue).flatMap((o) => flagsOf(o).map((f) => `${q(`${s.path}|${f}`)}`)),
  );
  const choiceRows: [string, string][] = specs.flatMap((s) =>
    [...s.options, ...s.globals]
      .filter((o) => o.takesValue && (o.choices.length || o.path))
      .flatMap((o) =>
        flagsOf(o).map((f): [string, string] => [q(`${s.path}|${f}`), o.choices.length ? `echo ${q(o.choices.join(' '))}` : 'echo @files']),
      ),
  );
  return `# ${name} completion for bash (zsh: see \`${name} completion zsh\`)
#   eval "$(${name} completion bash)"    or save it as /etc/bash_completion.d/${name}
${fn}_subcommands() {
  case "$1" in
${cases(specs.filter((s) => s.subcommands.length).map((s) => [q(s.path), `echo ${q(s.subcommands.join(' '))}`]))}
  esac
}
${fn}_options() {
  case "$1" in
${cases(specs.map((s) => [q(s.path), `echo ${q([...new Set([...s.options, ...s.globals].flatMap(flagsOf))].join(' '))}`]))}
  esac
}
${fn}_takes_value() {
  case "$1|$2" in
    ${withValue.join('|') || "''"}) return 0 ;;
  esac
  return 1
}
${fn}_choices() {
  case "$1|$2" in
${cases(choiceRows)}
  esac
}
${fn}_files() {
  local IFS=$'\n' # one name a line: file names may hold spaces
  COMPREPLY=($(compgen -f -- "$1"))
}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="" word next i skip=0
  ((COMP_CWORD > 0)) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$word" in
      -*=*) ;;
      -*) ${fn}_takes_value "$path" "$word" && skip=1 ;;
      *)
        next="\${path:+$path }$word"
        [[ " $(${fn}_subcommands "$path") " == *" $word "* ]] && path="$next"
        ;;
    esac
  done
  COMPREPLY=()
  if [[ $prev == -* ]] && ${fn}_takes_value "$path" "$prev"; then
    local choices
    choices="$(${fn}_choices "$path" "$prev")"
    if [[ $choices == @files ]]; then
      ${fn}_files "$cur"
    elif [[ -n $choices ]]; then
      COMPREPLY=($(compgen -W "$choices" -- "$cur"))
    fi
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_options "$path")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(${fn}_subcommands "$path")" -- "$cur"))
  fi
  return 0
}
complete -o default -F ${fn} ${name}
`;
}

function zsh(name: string, specs: CommandSpec[]): string {
  // zsh runs the bash function through its own bashcompinit layer, so both shells complete alike.
  return `#compdef ${name}
# ${name} completion for zsh
#   eval "$(${name} completion zsh)"    (after compinit), or save it as _${name} on your fpath
autoload -U +X bashcompinit && bashcompinit
${bash(name, specs)}`;
}

function fish(name: string, specs: CommandSpec[]): string {
  const lines = [
    `# ${name} completion for fish`,
    `#   ${name} completion fish > ~/.config/fish/completions/${name}.fish`,
    `complete -c ${name} -f`,
  ];
  const condition = (path: string): string => {
    if (!path) return '__fish_use_subcommand';
    const parts = path.split(' ');
    const seen = parts.map((p) => `__fish_seen_subcommand_from ${p}`).join('; and ');
    const spec = specs.find((s) => s.path === path)!;
    return spec.subcommands.length ? `${seen}; and not __fish_seen_subcommand_from ${spec.subcommands.join(' ')}` : seen;
  };
  for (const s of specs) {
    for (const sub of s.subcommands) {
      const child = specs.find((c) => c.path === (s.path ? `${s.path} ${sub}` : sub))!;
      lines.push(`complete -c ${name} -n ${q(condition(s.path))} -a ${sub} -d ${q(child.description)}`);
    }
    for (const o of s.options) {
      const parts = [`complete -c ${name}`];
      if (s.path)
        parts.push(
          `-n ${q(
            s.path
              .split(' ')
              .map((p) => `__fish_seen_subcommand_from ${p}`)
              .join('; and '),
          )}`,
        );
      if (o.long) parts.push(`-l ${o.long.slice(2)}`);
      if (o.short) parts.push(`-s ${o.short.slice(1)}`);
      if (o.choices.length) parts.push(`-x -a ${q(o.choices.join(' '))}`);
      else if (o.path) parts.push('-r -F');
      else if (o.takesValue) parts.push('-x');
      parts.push(`-d ${q(o.description)}`);
      lines.push(parts.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, program: Command): string {
  const specs = describeProgram(program);
  const name = program.name();
  if (shell === 'bash') return bash(name, specs);
  if (shell === 'zsh') return zsh(name, specs);
  return fish(name, specs);
}
