/**
 * Every default a flag shows in --help comes from DEFAULTS in src/config.ts: commander's own
 * defaults (filled in when the flag is absent) and the ones a command resolves itself after an
 * environment variable (shown, left unset). Walks the whole program, so a new flag with a
 * default written by hand fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command, Option } from 'commander';
import { DEFAULTS } from '../../src/config.js';
import { buildProgram } from '../../src/cli/program.js';
import { ROOT } from '../helpers/cli.js';

/** The names every command that takes --queue, --table or --bucket falls back to. */
const NAMES: Record<string, string> = { queue: DEFAULTS.queue, table: DEFAULTS.ledgerTable, bucket: DEFAULTS.bucket };

/** Every command a user runs, by its full name (`local start`), as the table is keyed. */
function leaves(command: Command, prefix = ''): [string, Command][] {
  return command.commands.flatMap((c): [string, Command][] => {
    const name = `${prefix}${c.name()}`;
    return c.commands.length ? leaves(c, `${name} `) : [[name, c]];
  });
}

function tableOf(name: string): Record<string, unknown> {
  return ((DEFAULTS as Record<string, unknown>)[name] ?? {}) as Record<string, unknown>;
}

/** The default an option shows in help, and whether commander fills it in. */
function shown(o: Option): { value: string; filled: boolean } | undefined {
  if (o.defaultValue !== undefined) return { value: String(o.defaultValue), filled: true };
  if (o.defaultValueDescription) return { value: o.defaultValueDescription, filled: false };
  return undefined;
}

const program = buildProgram(async () => undefined);
const commands = leaves(program);

describe('the defaults flags show', () => {
  it.each(commands)('%s: every default shown comes from the table', (name, command) => {
    const table = tableOf(name);
    for (const o of command.options) {
      const attr = o.attributeName();
      const s = shown(o);
      if (!s) continue;
      const expected = table[attr] ?? NAMES[attr];
      expect(expected, `${name} ${o.long}: a default with no entry in DEFAULTS["${name}"]`).toBeDefined();
      // Filled: exactly the table's value. Resolved later: "VAR or <value>", the value last.
      if (s.filled) expect(o.defaultValue, `${name} ${o.long}`).toEqual(expected);
      else expect(s.value, `${name} ${o.long}`).toMatch(new RegExp(`(^| or )${String(expected).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    }
  });

  it.each(commands)('%s: no description writes a number in as its default', (name, command) => {
    const values = new Set(Object.values(tableOf(name)).map(String));
    for (const o of command.options) {
      for (const m of o.description.matchAll(/default:? (\d[\d_]*)/g)) {
        expect(values, `${name} ${o.long}: "${m[0]}" is not from DEFAULTS["${name}"]`).toContain(m[1]);
      }
    }
  });

  it.each(Object.entries(DEFAULTS).filter(([, v]) => typeof v === 'object'))(
    'DEFAULTS["%s"]: every entry is a flag that shows it',
    (name, table) => {
      const command = commands.find(([n]) => n === name)?.[1];
      expect(command, `no command "${name}"`).toBeDefined();
      for (const attr of Object.keys(table as object)) {
        const option = command!.options.find((o) => o.attributeName() === attr);
        const inText = option?.description.includes(`default ${String((table as Record<string, unknown>)[attr])}`);
        expect(option && (shown(option) || inText), `${name}: DEFAULTS entry "${attr}" is shown by no flag`).toBeTruthy();
      }
    },
  );

  it('shows a default resolved later as commander shows its own, and leaves the flag unset', async () => {
    let help = '';
    const processSqs = program.commands.find((c) => c.name() === 'process-sqs')!;
    processSqs.configureOutput({ writeOut: (s) => (help += s) });
    processSqs.outputHelp();
    expect(help.replace(/\s+/g, ' ')).toContain(`(default: SQSOPS_KEY or ${DEFAULTS['process-sqs'].key})`);
    expect(help.replace(/\s+/g, ' ')).toContain(`(default: ${DEFAULTS['process-sqs'].concurrency})`);

    let options: Record<string, unknown> = {};
    await buildProgram(async (_n, o) => {
      options = o;
    }).parseAsync(['node', 'sqsops', 'process-sqs']);
    // Unset, so SQSOPS_KEY (or the Lambda's variables) can still fill them in.
    expect(options).not.toHaveProperty('key');
    expect(options).not.toHaveProperty('concurrency');
  });

  it('no option table writes a default in by hand (a literal after the range, or in .default / .option)', () => {
    const dir = join(ROOT, 'src/cli/commands');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.options.ts'))) {
      const source = readFileSync(join(dir, file), 'utf8');
      // intOption(flags, text, { range }, 10) / ratioOption(flags, text, 0) / .option(flags, text, 'x') / .default(5)
      const flat = source.replace(/\s+/g, ' ');
      const byHand =
        /\}, *[\d'"][^)]*\)/.exec(flat) ??
        /\.option\( *'[^']*', *(?:'[^']*'|"[^"]*"|`[^`]*`), *[\d'"`]/.exec(flat) ??
        /\.default\( *[\d'"`]/.exec(flat);
      expect(byHand?.[0], file).toBeUndefined();
    }
  });
});
