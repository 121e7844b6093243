/**
 * docs/commands.md holds the option tables the README links to: every option there exists
 * in the program, and every option of a documented command is there (no dead or silent flags).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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

describe('docs/commands.md', () => {
  const program = buildProgram(async () => undefined);
  const docs = documented();

  it('has a section for the commands the README links to', () => {
    expect([...docs.keys()].sort()).toEqual([
      'completion',
      'consume',
      'load',
      'move',
      'process-sqs',
      'produce',
      'redrive-dlq',
      'setup',
      'show',
      'stats',
      'tail',
    ]);
  });

  it.each([...docs.keys()])('lists exactly the options of %s', (name) => {
    const command = program.commands.find((c) => c.name() === name)!;
    const real = new Set(command.options.map((o) => o.long!).filter((l) => l !== '--help'));
    const listed = docs.get(name)!;
    expect(
      [...listed].filter((f) => !real.has(f)),
      'documented but not in the program',
    ).toEqual([]);
    expect(
      [...real].filter((f) => !listed.has(f)),
      'in the program but not documented',
    ).toEqual([]);
  });
});
