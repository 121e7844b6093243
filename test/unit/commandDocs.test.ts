/**
 * docs/commands.md holds the option tables the README links to: every command of the program
 * (each subcommand of `local` too) has a section, every option there exists in the program, and
 * every option of the program is there (no dead or silent flags), the global ones included.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { ROOT } from '../helpers/cli.js';

/** Command name -> the long flags its sections' first column names. */
function documented(): Map<string, Set<string>> {
  const doc = readFileSync(join(ROOT, 'docs/commands.md'), 'utf8');
  const byCommand = new Map<string, Set<string>>();
  for (const section of doc.split(/^## /m).slice(1)) {
    const command = section.slice(0, section.indexOf('\n')).split(':')[0]!.trim();
    const flags = byCommand.get(command) ?? new Set<string>();
    for (const row of section.split('\n').filter((l) => l.startsWith('| `'))) {
      for (const m of row.split('|')[1]!.matchAll(/--[a-z0-9-]+/g)) flags.add(m[0]);
    }
    byCommand.set(command, flags);
  }
  return byCommand;
}

/** Command name -> long flag -> the text of its row's default column. */
function documentedDefaults(): Map<string, Map<string, string>> {
  const doc = readFileSync(join(ROOT, 'docs/commands.md'), 'utf8');
  const out = new Map<string, Map<string, string>>();
  for (const section of doc.split(/^## /m).slice(1)) {
    const command = section.slice(0, section.indexOf('\n')).split(':')[0]!.trim();
    const rows = out.get(command) ?? new Map<string, string>();
    for (const row of section.split('\n').filter((l) => l.startsWith('| `'))) {
      // Cells are split on unescaped pipes: `<name\|url>` is one cell.
      const cells = row.split(/(?<!\\)\|/);
      if (cells.length < 5) continue;
      // A row of several flags "as for `other`" takes that command's defaults.
      const other = /as for `([^`]+)`/.exec(cells[3] ?? '')?.[1];
      for (const [long] of (cells[1] ?? '').matchAll(/--[a-z0-9-]+/g)) rows.set(long, other ? `@${other}` : (cells[2] ?? '').trim());
    }
    out.set(command, rows);
  }
  return out;
}

/** Every command a user runs, by its full name: `produce`, `local start` (a parent with subcommands is not one). */
function leaves(command: Command, prefix = ''): Map<string, Command> {
  const out = new Map<string, Command>();
  for (const c of command.commands) {
    if (c.name() === 'help') continue;
    const name = `${prefix}${c.name()}`;
    if (c.commands.length > 0) for (const [n, sub] of leaves(c, `${name} `)) out.set(n, sub);
    else out.set(name, c);
  }
  return out;
}

const GLOBAL = 'Global options';

describe('docs/commands.md', () => {
  const program = buildProgram(async () => undefined);
  const commands = leaves(program);
  const docs = documented();

  it('has a section for every command of the program, and for nothing else', () => {
    expect([...docs.keys()].sort()).toEqual([GLOBAL, ...commands.keys()].sort());
  });

  it('covers the local subcommands one by one', () => {
    expect([...commands.keys()]).toEqual(expect.arrayContaining(['local start', 'local env', 'local reset']));
  });

  it.each([...docs.keys()])('lists exactly the options of %s', (name) => {
    const command = name === GLOBAL ? program : commands.get(name);
    expect(command, `${name} is not a command of the program`).toBeDefined();
    // An option with no long name (`-V`, beside `--version`) has nothing to document.
    const real = new Set(command!.options.flatMap((o) => (o.long && o.long !== '--help' ? [o.long] : [])));
    const listed = new Set([...docs.get(name)!].filter((l) => l !== '--help'));
    expect(
      [...listed].filter((f) => !real.has(f)),
      'documented but not in the program',
    ).toEqual([]);
    expect(
      [...real].filter((f) => !listed.has(f)),
      'in the program but not documented',
    ).toEqual([]);
  });

  // The defaults table (src/config.ts) is what help shows; the page must say the same value.
  it.each([...docs.keys()].filter((n) => n !== GLOBAL))('shows the defaults %s has', (name) => {
    const all = documentedDefaults();
    const defaults = all.get(name)!;
    const cellOf = (flag: string): string => {
      const cell = defaults.get(flag) ?? '';
      return cell.startsWith('@') ? (all.get(cell.slice(1))?.get(flag) ?? '') : cell;
    };
    const wrong = commands
      .get(name)!
      .options.filter((o) => o.long && (typeof o.defaultValue === 'string' || typeof o.defaultValue === 'number'))
      .map((o) => ({ flag: o.long!, value: String(o.defaultValue), cell: cellOf(o.long!) }))
      .filter(
        ({ value, cell }) =>
          !cell
            .replace(/`/g, '')
            .split(/[^\w.:/-]+/)
            .includes(value),
      );
    expect(wrong).toEqual([]);
  });
});
