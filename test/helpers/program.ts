/** Parses a command line with the real program, recording the command it would run instead of running it. */
import type { CommanderError } from 'commander';
import { buildProgram, type CommandName } from '../../src/cli/program.js';

export interface Parsed {
  name?: CommandName;
  options?: Record<string, unknown>;
  args?: string[];
  /** What commander wrote to stderr (or its message) when it refused the line. */
  error?: string;
}

export async function parseCommandLine(argv: string[]): Promise<Parsed> {
  let call: Parsed | undefined;
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
  return { ...call };
}
