/**
 * The examples at the end of every command's --help work as printed: each one that is a plain
 * `sqsops ...` line runs, in the program's order (those of `local` last, since `local reset`
 * empties the queues the others use), against one fresh state dir and exits 0.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { startTestServer, type TestServer } from '../download/server.js';
import { type CliHome, newHome, ROOT } from '../helpers/cli.js';

/** The `$ ...` lines of a command's help, after its `Examples:` heading. */
function helpExamples(command: Command): string[] {
  let help = '';
  command.configureOutput({ writeOut: (s) => (help += s) });
  command.outputHelp();
  const block = help.slice(help.lastIndexOf('\nExamples:\n'));
  return [...block.matchAll(/^ {2}\$ (.*)$/gm)].map((m) => m[1]!);
}

/** Every example of every command (each local subcommand's too), as arguments; shell lines (`eval`) left out. */
function examples(): string[][] {
  const program = buildProgram(async () => undefined);
  const commands = program.commands.flatMap((c) => [c, ...c.commands.filter((s) => s.name() !== 'help')]);
  const isLocal = (c: Command) => c.name() === 'local' || c.parent?.name() === 'local';
  return [...commands.filter((c) => !isLocal(c)), ...commands.filter(isLocal)]
    .flatMap(helpExamples)
    .filter((line) => line.startsWith('sqsops '))
    .map((line) =>
      line
        .slice('sqsops '.length)
        .split(/\s+>\s+/)[0]!
        .match(/"[^"]*"|\S+/g)!
        .map((a) => a.replace(/^"|"$/g, '')),
    );
}

let cli: CliHome;
let server: TestServer;
beforeAll(async () => {
  cli = newHome();
  // The examples name files beside the user: the sample tasks, and a list of URLs (served here).
  cpSync(join(ROOT, 'examples'), join(cli.home, 'examples'), { recursive: true });
  server = await startTestServer();
  writeFileSync(join(cli.home, 'urls.json'), JSON.stringify([`${server.origin}/file/a.bin?size=2000`]));
});
afterAll(async () => {
  await cli.cleanup();
  await server.close();
});

describe('the examples in --help', () => {
  const all = examples();

  it('has examples of every kind of command to run', () => {
    expect(all.length).toBeGreaterThan(25);
    expect(all.map((a) => a[0])).toEqual(expect.arrayContaining(['produce', 'local', 'download-urls', 'tail']));
  });

  it.each(all.map((a) => [a.join(' '), a] as const))('sqsops %s', async (_name, args) => {
    const r = await cli.run([...args]);
    if (r.code !== 0) console.error(r.stderr);
    expect(r.code).toBe(0);
  });
});
