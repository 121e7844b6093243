/**
 * The one exit point. Nothing below this file calls process.exit: commands throw,
 * and this maps each error to its exit code and one line (a stack only with --debug).
 */
import { existsSync } from 'node:fs';
import { CommanderError } from 'commander';
import { buildProgram, moduleDispatch } from './program.js';
import type { GlobalOptions } from './context.js';
import { ExitCode, InterruptedError, isSqsopsError, stopSignalOf, UsageError } from '../core/errors.js';
import { addEnvSecrets, redact } from '../core/redact.js';
import { VERSION } from '../version.js';
import { diskProblem } from './systemErrors.js';

/** Loads ./.env and returns the names it set, so the target line can say a setting came from there. */
function loadDotEnv(): string[] {
  // .env fills only what the environment leaves unset (flags > env > .env > defaults).
  if (!existsSync('.env')) return [];
  const before = new Set(Object.keys(process.env));
  try {
    process.loadEnvFile('.env');
  } catch (e: unknown) {
    throw new UsageError(`.env could not be read: ${(e as Error).message}`);
  }
  return Object.keys(process.env).filter((k) => !before.has(k));
}

/**
 * A reader that goes away (`sqsops ... | head -1`) makes the next write fail with EPIPE,
 * which Node raises as an unhandled 'error' event: a stack trace and rc 1. Instead the
 * stream goes quiet and, for stdout, the run is asked to stop as Ctrl-C would (what is
 * in flight finishes, nothing is lost), so the exit stays quiet.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream, controller?: AbortController): void {
  if (stream.listenerCount('error') > 0) return;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    // Later writes are dropped, but a caller waiting on one (consume --out -) still hears it failed.
    stream.write = ((...args: unknown[]) => {
      const cb = args.find((a) => typeof a === 'function') as ((e: Error) => void) | undefined;
      cb?.(e);
      return true;
    }) as typeof stream.write;
    if (controller && !controller.signal.aborted) controller.abort(new Error('the output pipe was closed'));
  });
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const controller = new AbortController();
  quietOnClosedPipe(process.stdout, controller);
  // Without stderr only the notes are lost: the command goes on and its exit code still tells.
  quietOnClosedPipe(process.stderr);
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      process.stderr.write('\naborted\n');
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    }
    process.stderr.write(`\n${signal}: finishing what is in flight (again to abort at once)\n`);
    controller.abort(new InterruptedError(signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let globals: GlobalOptions = {};
  let fromDotEnv: string[] = [];
  const program = buildProgram(
    // The context brings chalk, tables and spinners: loaded only when a command runs.
    moduleDispatch(async (g) => {
      globals = g;
      const { createContext } = await import('./context.js');
      return createContext(g, { signal: controller.signal, fromDotEnv });
    }),
  );
  program.exitOverride();
  try {
    fromDotEnv = loadDotEnv();
    addEnvSecrets(process.env);
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (e: unknown) {
    if (e instanceof CommanderError) {
      // commander already printed its message (or the help / version).
      return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const { Output } = await import('./output.js');
    const out = new Output({ color: globals.color ?? true });
    if (isSqsopsError(e)) {
      out.error(redact(e.message), e.hint); // hints are our own words, with examples that look like secrets
      const cause = e.cause ? `cause: ${String((e.cause as Error).stack ?? e.cause)}\n` : '';
      if (globals.debug) process.stderr.write(redact(`${e.stack ?? ''}\n${cause}`));
      return e.exitCode;
    }
    if (controller.signal.aborted) {
      out.error('interrupted');
      return stopSignalOf(controller.signal) === 'SIGTERM' ? 143 : ExitCode.aborted;
    }
    const full = diskProblem(e);
    if (full) {
      out.error(redact(full.message), full.hint);
      if (globals.debug) process.stderr.write(redact(`${(e as Error)?.stack ?? ''}\n`));
      return ExitCode.local;
    }
    const message = (e as Error)?.message ?? String(e);
    out.error(redact(`internal error, please report it with the output of --debug (sqsops ${VERSION}): ${message}`));
    if (globals.debug) process.stderr.write(redact(`${(e as Error)?.stack ?? ''}\n`));
    return ExitCode.internal;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
