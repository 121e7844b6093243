/**
 * The CLI builds its program lazily (each command's options declared when it runs or shows its
 * help); tests and `completion` build it whole. Both must read and show the same.
 */
import { describe, expect, it } from 'vitest';
import { type Command, Help } from 'commander';
import { buildProgram, type CommandName } from '../../src/cli/program.js';

function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), getOutHelpWidth: () => 100 });
  command.outputHelp();
  return text;
}

async function parse(lazy: boolean, argv: string[]) {
  let call: { name: CommandName; options: Record<string, unknown>; args: string[] } | undefined;
  const program = buildProgram(
    async (name, options, _globals, args) => {
      call = { name, options, args };
    },
    { lazy },
  );
  await program.parseAsync(['node', 'sqsops', ...argv]);
  return call;
}

describe('the lazy program', () => {
  it('declares no command options until one is needed', () => {
    const lazy = buildProgram(async () => undefined, { lazy: true });
    expect(lazy.commands.flatMap((c) => c.options)).toEqual([]);
  });

  it('shows the same program help, and each command in the list as its declared self', () => {
    const full = buildProgram(async () => undefined);
    const lazy = buildProgram(async () => undefined, { lazy: true });
    expect(helpOf(lazy)).toBe(helpOf(full));
    // Each spec's usage is what commander makes of the declared command.
    const help = new Help();
    for (const c of full.commands)
      expect(help.subcommandTerm(c), c.name()).toBe(
        helpOf(full)
          .match(new RegExp(`\\n  (${c.name()}\\b[^\\n]*?)  `))?.[1]
          ?.trim(),
      );
  });

  it.each(['produce', 'process-sqs', 'show', 'local', 'tail'])('shows the same help for %s', (name) => {
    const full = buildProgram(async () => undefined).commands.find((c) => c.name() === name)!;
    const lazy = buildProgram(async () => undefined, { lazy: true }).commands.find((c) => c.name() === name)!;
    expect(helpOf(lazy)).toBe(helpOf(full));
  });

  it.each([
    ['produce', '-n', '5', '--queue', 'q'],
    ['process-sqs', '--key', 'orderId', '--drain'],
    ['show', 'k1', 'k2', '--limit', '3'],
    ['local', 'start', '--idle-minutes', '15'],
    ['--json', 'tail', 'q', '--duration', '2'],
    ['download-urls', 'urls.json', '-c', '3'],
    // A lone --no-x is true unless given: commander sets it before a lazy command is declared.
    ['consume'],
    ['load', '--no-ledger'],
    ['setup', '--queue', 'a'],
    ['process-sqs', '--no-schema'],
    ['move', '--from', 'a', '--to', 'b'],
  ])('parses %j as the whole program does', async (...argv) => {
    const lazy = await parse(true, argv);
    expect(lazy).toBeDefined();
    expect(lazy).toEqual(await parse(false, argv));
  });
});
