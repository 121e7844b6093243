import { describe, expect, it } from 'vitest';
import type { CommanderError } from 'commander';
import { buildProgram } from '../../src/cli/program.js';

async function parse(argv: string[]): Promise<{ name?: string; options?: Record<string, unknown>; args?: string[]; error?: string }> {
  let call: { name: string; options: Record<string, unknown>; args: string[] } | undefined;
  let error = '';
  const program = buildProgram(async (name, options, _globals, args) => {
    call = { name, options, args };
  });
  for (const c of [program, ...program.commands]) {
    c.exitOverride();
    c.configureOutput({ writeErr: (s) => (error += s), writeOut: () => undefined });
  }
  try {
    await program.parseAsync(['node', 'sqsops', ...argv]);
  } catch (e: unknown) {
    return { error: error || (e as CommanderError).message };
  }
  return call ?? {};
}

describe('sqsops download-urls on the command line', () => {
  it.each([
    [
      ['download-urls', 'urls.json'],
      ['urls.json'],
      { concurrency: 16, retries: 4, connectTimeout: 10, idleTimeout: 30, maxRedirects: 5, fsync: true },
    ],
    [
      ['download-urls', '-', '-o', 'out', '-c', '32', '--per-host', '4', '--retries', '0', '--force', '--strict', '--no-fsync'],
      ['-'],
      { out: 'out', concurrency: 32, perHost: 4, retries: 0, force: true, strict: true, fsync: false },
    ],
    [
      ['download-urls', 'lists/', '--to-s3', 's3://b/p', '--connect-timeout', '3', '--idle-timeout', '7', '--max-redirects', '0'],
      ['lists/'],
      { toS3: 's3://b/p', connectTimeout: 3, idleTimeout: 7, maxRedirects: 0 },
    ],
    [
      ['download-urls', 'u.json', '--ca', 'ca.pem', '--allow-address', '10.0.0.0/8', '--allow-address', '169.254.169.254'],
      ['u.json'],
      { ca: 'ca.pem', allowAddress: ['10.0.0.0/8', '169.254.169.254'] },
    ],
  ])('parses %j', async (argv, args, options) => {
    const r = await parse(argv);
    expect(r.name).toBe('download-urls');
    expect(r.args).toEqual(args);
    expect(r.options).toMatchObject(options);
  });

  it.each([
    [['download-urls'], /missing required argument 'file'/],
    [['download-urls', 'x', '--bogus'], /unknown option '--bogus'/],
    [['download-urls', 'x', '--retries'], /argument missing/],
  ])('rejects %j with a clear message', async (argv, message) => {
    const r = await parse(argv);
    expect(r.name).toBeUndefined();
    expect(r.error).toMatch(message);
  });
});
