/**
 * Every sqsops command in the ```sh blocks of README.md and docs/*.md runs, in order, against
 * a fresh state dir and exits 0: the documentation cannot drift from what the tool does.
 * (```shell blocks are shown, not run: they need real AWS, a server, or run until stopped.)
 */
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, ROOT, type CliHome } from '../helpers/cli.js';

/**
 * The pages in the order their examples run: the README, then the pages whose examples build on
 * one another (each page's examples create what they use, in its own order), then any other page.
 */
const FIRST = ['README.md', 'docs/local-aws.md', 'docs/messages.md', 'docs/process-sqs.md', 'docs/queues.md', 'docs/load.md'];

function pages(): string[] {
  const docs = readdirSync(`${ROOT}/docs`)
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`)
    .sort();
  return [...FIRST, ...docs.filter((p) => !FIRST.includes(p))];
}

function pageCommands(page: string): string[][] {
  const readme = readFileSync(`${ROOT}/${page}`, 'utf8');
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

describe('the README and docs examples', () => {
  const byPage = pages().map((page) => [page, pageCommands(page)] as const);
  const commands = byPage.flatMap(([page, list]) => list.map((c) => [page, c.join(' '), c] as const));

  it('has examples to run, in the README and in the pages the README links to', () => {
    expect(commands.length).toBeGreaterThan(15);
    expect(byPage.filter(([, list]) => list.length > 0).length).toBeGreaterThan(3);
  });

  it.each(commands)('%s: sqsops %s', async (_page, _name, args) => {
    const r = await cli.run([...args]);
    if (r.code !== 0) console.error(r.stderr);
    expect(r.code).toBe(0);
  });
});
