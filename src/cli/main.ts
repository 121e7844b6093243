/**
 * The one exit point. Nothing below this file calls process.exit: commands throw,
 * and this maps each error to its exit code and one line (a stack only with --debug).
 */
import { type Command, CommanderError } from 'commander';
import { buildProgram, moduleDispatch, type CommandName } from './program.js';
import type { GlobalOptions } from './context.js';
import { ExitCode, InterruptedError, isSqsopsError, stopSignalOf, UsageError } from '../core/errors.js';
import { addEnvSecrets, redact } from '../core/redact.js';
import type { Output } from './output.js';
import { VERSION } from '../version.js';
import { diskProblem } from './systemErrors.js';

/** Loads ./.env and returns the names it set, so the target line can say a setting came from there. */
function loadDotEnv(): string[] {
  // .env fills only what the environment leaves unset (flags > env > .env > defaults).
  const before = new Set(Object.keys(process.env));
  try {
    process.loadEnvFile('.env');
  } catch (e: unknown) {
    // No .env is the usual case; read without node:fs, whose import alone costs a start-up.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
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

/**
 * Whether a signal is the run's normal end: a process-sqs worker with no end of its own (no
 * --drain, no --count) stops when told to, drains what it holds and exits 0, as a service
 * does. Every other run a signal cuts short did not do all it was asked: 130 or 143.
 */
function endsOnSignal(name: CommandName, options: Record<string, unknown>): boolean {
  return name === 'process-sqs' && !options.drain && options.count === undefined;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const controller = new AbortController();
  // 130 after SIGINT (or a closed pipe), 143 after SIGTERM, as shells report them.
  const stoppedCode = () => (stopSignalOf(controller.signal) === 'SIGTERM' ? 143 : ExitCode.aborted);
  let signalled = false;
  quietOnClosedPipe(process.stdout, controller);
  // Without stderr only the notes are lost: the command goes on and its exit code still tells.
  quietOnClosedPipe(process.stderr);
  let interrupts = 0;
  // The command's output, once it runs: its errors and these lines follow its --log-format json.
  let out: Output | undefined;
  const say = (text: string) => (out?.logsJson ? out.event('note', text) : process.stderr.write(`\n${text}\n`));
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    signalled = true;
    if (interrupts > 1) {
      say('aborted');
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    }
    say(`${signal}: finishing what is in flight (again to abort at once)`);
    controller.abort(new InterruptedError(signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let globals: GlobalOptions = {};
  let fromDotEnv: string[] = [];
  const dispatch = moduleDispatch(async (g) => {
    globals = g;
    // The context brings chalk, tables and spinners: loaded only when a command runs.
    const { createContext } = await import('./context.js');
    const ctx = createContext(g, { signal: controller.signal, fromDotEnv });
    out = ctx.out;
    return ctx;
  });
  let service = false;
  // lazy: a command's options are declared only when it runs or shows its help (a faster start).
  const program = buildProgram(
    (name, options, ...rest) => {
      service = endsOnSignal(name, options);
      return dispatch(name, options, ...rest);
    },
    { lazy: true },
  );
  program.exitOverride();
  // commander echoes what was typed ("invalid argument 'http://u:pw@...'"): redacted like every other line.
  // Set on each command: subcommands copied the program's settings when they were declared.
  const writeErr = (text: string) => process.stderr.write(redact(text));
  const each = (c: Command): Command[] => [c, ...c.commands.flatMap(each)];
  for (const c of each(program)) c.configureOutput({ writeErr });
  try {
    fromDotEnv = loadDotEnv();
    addEnvSecrets(process.env);
    await program.parseAsync(argv);
    // Cut short by Ctrl-C or SIGTERM: "cancelled", unless stopping on a signal is the command's normal end.
    return signalled && !service ? stoppedCode() : ExitCode.ok;
  } catch (e: unknown) {
    if (e instanceof CommanderError) {
      // commander already printed its message (or the help / version).
      return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const { Output } = await import('./output.js');
    return report(e, out ?? new Output({ color: globals.color ?? true }), {
      debug: globals.debug,
      aborted: controller.signal.aborted,
      signalled,
      stoppedCode: stoppedCode(),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Prints an error as one line and a hint (a stack with --debug) and returns its exit code; Output redacts both. */
function report(e: unknown, out: Output, run: { debug?: boolean; aborted: boolean; signalled: boolean; stoppedCode: number }): number {
  const stack = (x: unknown) => String((x as Error)?.stack ?? x ?? '');
  if (isSqsopsError(e)) {
    out.error(e.message, e.hint);
    if (run.debug) out.debug(`${stack(e)}\n${e.cause ? `cause: ${stack(e.cause)}\n` : ''}`);
    // What a signal left undone is "cancelled", not "partly failed".
    return run.signalled && e.exitCode === ExitCode.partial ? run.stoppedCode : e.exitCode;
  }
  if (run.aborted) {
    out.error('interrupted');
    return run.stoppedCode;
  }
  const full = diskProblem(e);
  if (full) {
    out.error(full.message, full.hint);
    if (run.debug) out.debug(stack(e));
    return ExitCode.local;
  }
  const message = (e as Error)?.message ?? String(e);
  out.error(`internal error, please report it with the output of --debug (sqsops ${VERSION}): ${message}`);
  if (run.debug) out.debug(stack(e));
  return ExitCode.internal;
}
