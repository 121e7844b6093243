/**
 * Every sqsops command in the README's ```sh blocks runs, in order, against a fresh
 * state dir and exits 0: the README cannot drift from what the tool does.
 */
import { cpSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, ROOT, type CliHome } from '../helpers/cli.js';

function readmeCommands(): string[][] {
  const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
  const commands: string[][] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split('\n')) {
      for (const part of line.split('&&').map((p) => p.trim())) {
        const m = /^(?:npx )?sqsops (.*)$/.exec(part);
        // A redirection (`> file`) is the shell's business: the command runs, its output unused.
        if (m)
          commands.push(
            m[1]!
              .split(/\s+>\s+/)[0]!
              .match(/"[^"]*"|\S+/g)!
              .map((a) => a.replace(/^"|"$/g, '')),
          );
      }
    }
  }
  return commands;
}

let cli: CliHome;
beforeAll(() => {
  cli = newHome();
  // Examples name paths relative to the repository (examples/tasks): give the state dir a copy.
  cpSync(`${ROOT}/examples`, `${cli.home}/examples`, { recursive: true });
});
afterAll(async () => cli.cleanup());

describe('the README examples', () => {
  const commands = readmeCommands();

  it('has examples to run', () => {
    expect(commands.length).toBeGreaterThan(15);
  });

  it.each(commands.map((c) => [c.join(' '), c] as const))('sqsops %s', async (_name, args) => {
    const r = await cli.run([...args]);
    if (r.code !== 0) console.error(r.stderr);
    expect(r.code).toBe(0);
  });
});
