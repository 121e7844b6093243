/**
 * What every command receives: its output, the run's abort signal, the resolved
 * global options, and `connect()`, which resolves the target and prints it once.
 */
import { createInterface } from 'node:readline/promises';
import { Output, type OutputFormat } from './output.js';
import type { AwsClients } from '../aws/clients.js';
import { AbortedError } from '../core/errors.js';
import { defaultNames, type Names } from '../config.js';
import { addSecret, secretsOf } from '../core/redact.js';

export interface GlobalOptions {
  endpointUrl?: string;
  region?: string;
  profile?: string;
  json?: boolean;
  /** --output; --json is the same as --output json. */
  output?: OutputFormat;
  quiet?: boolean;
  debug?: boolean;
  yes?: boolean;
  color?: boolean;
  /** --wide: tables show every cell whole. */
  wide?: boolean;
}

export interface CommandContext {
  out: Output;
  globals: GlobalOptions;
  env: NodeJS.ProcessEnv;
  names: Names;
  signal: AbortSignal;
  /** Resolves the target (starting the local AWS if needed) and prints the target line. */
  connect(): Promise<AwsClients>;
  /** Asks on a TTY; without one, only --yes says yes. */
  confirm(question: string, refusal: string): Promise<void>;
  /** Runs `fn` when the command ends (clients are destroyed this way). */
  onClose(fn: () => void): void;
}

export interface ContextDeps {
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Variables ./.env set (names only), for the target line. */
  fromDotEnv?: string[];
  /** The built daemon script; tests point this at dist/. */
  daemonPath?: string;
}

export function createContext(globals: GlobalOptions, deps: ContextDeps = {}): CommandContext & { close(): void } {
  const env = deps.env ?? process.env;
  // The password or token of --endpoint-url masked wherever it shows up, whatever the text around it.
  if (globals.endpointUrl) addSecret(...secretsOf(globals.endpointUrl));
  const out = new Output({
    format: globals.output ?? (globals.json ? 'json' : 'table'),
    quiet: globals.quiet ?? false,
    color: globals.color ?? true,
    wide: globals.wide ?? false,
    stdout: deps.stdout as never,
    stderr: deps.stderr as never,
    env,
  });
  const closers: (() => void)[] = [];
  let clients: Promise<AwsClients> | undefined;
  const stdin = deps.stdin ?? process.stdin;
  return {
    out,
    globals,
    env,
    names: defaultNames(env),
    signal: deps.signal ?? new AbortController().signal,
    connect() {
      clients ??= (async () => {
        const { connect, describeTarget } = await import('../runtime/connect.js');
        const c = await connect({
          env,
          endpointUrl: globals.endpointUrl,
          region: globals.region,
          profile: globals.profile,
          daemonPath: deps.daemonPath,
          fromDotEnv: deps.fromDotEnv,
          // A typo on the command line creates nothing: only default names are made on demand.
          autoCreate: 'defaults',
          onWait: (message) => out.note(message),
          signal: deps.signal,
        });
        closers.push(() => c.destroy());
        out.note(describeTarget(c.target, deps.fromDotEnv));
        return c;
      })();
      return clients;
    },
    async confirm(question, refusal) {
      if (globals.yes) return;
      if (!stdin.isTTY) throw new AbortedError(refusal, { hint: 'pass --yes to confirm' });
      const rl = createInterface({ input: stdin, output: (deps.stderr ?? process.stderr) as NodeJS.WritableStream });
      try {
        const answer = await rl.question(`${question} [y/N] `);
        if (!/^y(es)?$/i.test(answer.trim())) throw new AbortedError('cancelled, nothing was changed');
      } finally {
        rl.close();
      }
    },
    onClose(fn) {
      closers.push(fn);
    },
    close() {
      for (const fn of closers.splice(0)) fn();
    },
  };
}
