import { describe, expect, it } from 'vitest';
import type { CommanderError } from 'commander';
import { buildProgram, COMMANDS, type CommandName } from '../../src/cli/program.js';
import type { GlobalOptions } from '../../src/cli/context.js';

interface Call {
  name: CommandName;
  options: Record<string, unknown>;
  globals: GlobalOptions;
  args: string[];
}

async function parse(argv: string[]): Promise<{ call?: Call; error?: string }> {
  let call: Call | undefined;
  let error = '';
  const program = buildProgram(async (name, options, globals, args) => {
    call = { name, options, globals, args };
  });
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => (error += s), writeOut: () => undefined });
  for (const c of program.commands) {
    c.exitOverride();
    c.configureOutput({ writeErr: (s) => (error += s), writeOut: () => undefined });
  }
  try {
    await program.parseAsync(['node', 'sqsops', ...argv]);
  } catch (e: unknown) {
    if ((e as CommanderError).exitCode === 0) return {};
    return { error: error || (e as Error).message };
  }
  return call ? { call } : {};
}

describe('the command line', () => {
  it.each([
    [
      ['produce'],
      'produce',
      { count: 10, template: 'order', concurrency: 16, duplicates: 0, invalid: 0, largePayloadThreshold: 1_048_576 },
    ],
    [
      ['produce', '-n', '50', '--queue', 'q.fifo', '--group-by', 'customerId', '--seed', '3'],
      'produce',
      { count: 50, queue: 'q.fifo', groupBy: 'customerId', seed: 3 },
    ],
    [['consume', '--count', '2', '--peek'], 'consume', { count: 2, peek: true, wait: 5, key: 'messageId' }],
    [['consume', '--key', '{orderId}#{version}', '--out', 'x.ndjson'], 'consume', { key: '{orderId}#{version}', out: 'x.ndjson' }],
    [['show', '--limit', '5', '--status', 'COMPLETED'], 'show', { limit: 5, status: 'COMPLETED' }],
    [['clear', '--table', 't'], 'clear', { table: 't' }],
    [['clear', '--consumer', 'billing'], 'clear', { consumer: 'billing' }],
    [['show', '--consumer', 'billing'], 'show', { consumer: 'billing', limit: 50 }],
    [['consume', '--consumer', 'billing'], 'consume', { consumer: 'billing', count: 10 }],
    [['process-sqs', '--consumer', 'billing', '--key', 'orderId'], 'process-sqs', { consumer: 'billing', key: 'orderId' }],
    [['setup', '--queue', 'a', 'b.fifo', '--no-dlq', '--dry-run'], 'setup', { queue: ['a', 'b.fifo'], dlq: false, dryRun: true }],
    [['setup'], 'setup', { maxReceiveCount: 5, visibilityTimeout: 30, waitTime: 20, retention: 345_600 }],
    [['produce', '--duplicates', '0.25', '--invalid', '.1'], 'produce', { duplicates: 0.25, invalid: 0.1 }],
    [['download-urls', 'list.txt'], 'download-urls', { concurrency: 16, retries: 4, connectTimeout: 10, idleTimeout: 30, maxRedirects: 5 }],
    [['download-urls', 'list.txt', '--per-host', '2', '-c', '3'], 'download-urls', { perHost: 2, concurrency: 3 }],
    [
      ['redrive-dlq', '--from', 'd', '--max', '7', '--rate', '50'],
      'redrive-dlq',
      { max: 7, rate: 50, wait: 20, visibilityTimeout: 30, concurrency: 8 },
    ],
    [['move', '--from', 'a', '--to', 'b'], 'move', { wait: 20, visibilityTimeout: 30, concurrency: 8 }],
    [['load', '--steps', '3'], 'load', { steps: 3, workers: 2, sendConcurrency: 16, concurrency: 4 }],
    [['local', 'start', '--idle-minutes', '15'], 'local', { idleMinutes: 15 }],
  ] as const)('parses %j', async (argv, name, options) => {
    const { call } = await parse([...argv]);
    expect(call?.name).toBe(name);
    expect(call?.options).toMatchObject(options);
  });

  it('hands global options to every command, wherever they stand', async () => {
    const { call } = await parse(['--json', 'show', '--region', 'eu-west-1', '--endpoint-url', 'http://x:1', '-y', '--no-color']);
    expect(call?.globals).toMatchObject({ json: true, region: 'eu-west-1', endpointUrl: 'http://x:1', yes: true, color: false });
    expect(call?.options).not.toHaveProperty('json');
  });

  it.each([
    [['show', '--output', 'ndjson'], 'ndjson'],
    [['--output', 'table', 'show'], 'table'],
    [['show', '--json'], 'json'],
    [['show'], undefined],
  ] as const)('reads %j as output %s', async (argv, output) => {
    const { call } = await parse([...argv]);
    expect(call?.globals.output).toBe(output);
  });

  it('refuses --json with another --output, and an unknown format', async () => {
    expect((await parse(['show', '--json', '--output', 'ndjson'])).error).toMatch(/--json is --output json/);
    expect((await parse(['show', '--output', 'yaml'])).error).toMatch(/Allowed choices are table, json, ndjson/);
  });

  it.each([['start'], ['stop'], ['status'], ['reset']])('routes local %s to the local module', async (sub) => {
    const { call } = await parse(['local', sub]);
    expect(call).toMatchObject({ name: 'local', args: [sub] });
  });

  it.each([
    [['produce', '--bogus'], /unknown option '--bogus'/],
    [['show', '--status', 'DONE'], /Allowed choices are COMPLETED, INPROGRESS, RELEASED/],
    [['consume', '--count'], /argument missing/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['produce', '--count', '0'], /^--count must be a whole number from 1 to 10000000, not "0"$/],
    [['consume', '--wait', '21'], /^--wait must be a whole number from 0 to 20, not "21"$/],
    [['show', '--limit', 'lots'], /^--limit must be a whole number from 1 to 1000000, not "lots"$/],
    [['produce', '--duplicates', '2'], /^--duplicates must be a ratio from 0 to 1/],
    [['move', '--from', 'a', '--to', 'b', '--concurrency', '1.5'], /^--concurrency must be a whole number from 1 to 64/],
    [['download-urls', 'x', '--per-host', '0'], /^--per-host must be a whole number from 1 to 1024/],
  ])('rejects %j with a clear message', async (argv, message) => {
    const { error, call } = await parse(argv);
    expect(call).toBeUndefined();
    expect(error).toMatch(message);
  });

  it('has a module for every command and an example in every command help', async () => {
    const program = buildProgram(async () => undefined);
    for (const c of program.commands) {
      expect(COMMANDS).toHaveProperty(c.name());
      let help = '';
      c.configureOutput({ writeOut: (s) => (help += s) });
      c.outputHelp();
      expect(help, c.name()).toMatch(/Examples:\n {2}\$ sqsops /);
    }
  });

  it("ends every command's help (each local subcommand's too) with one or two examples", () => {
    const program = buildProgram(async () => undefined);
    const all = program.commands.flatMap((c) => [c, ...c.commands.filter((s) => s.name() !== 'help')]);
    expect(all.length).toBeGreaterThan(program.commands.length);
    for (const c of all) {
      let help = '';
      c.configureOutput({ writeOut: (s) => (help += s) });
      c.outputHelp();
      const examples = /\nExamples:\n((?: {2}\$ .*\n)+)\s*$/.exec(help);
      expect(examples, `${c.name()} help ends with its examples`).not.toBeNull();
      const lines = examples![1]!.trimEnd().split('\n');
      expect(lines.length, c.name()).toBeLessThanOrEqual(2);
      expect(lines[0], c.name()).toMatch(/^ {2}\$ sqsops /);
    }
  });
});
