/** Runs the built CLI as a process, with its own state dir. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect } from 'vitest';
import type { COUNTERS } from '../../src/core/metrics.js';
import type { ProcessSqsResult } from '../../src/features/process/runner.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/sqsops.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliHome {
  home: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], options?: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<CliResult>;
  /** Starts without waiting (for two-terminal tests and signals). */
  spawn(args: string[], options?: { env?: NodeJS.ProcessEnv }): ReturnType<typeof spawn>;
  cleanup(): Promise<void>;
}

/**
 * A command's --json output, read as the type the test names: the feature's result type, or
 * the few fields it checks. Without one it is `unknown`, enough for whole-object assertions.
 */
export function parseJson<T = unknown>(stdout: string): T {
  return JSON.parse(stdout) as T;
}

/** What `sqsops local status --json` says of each queue. */
export interface LocalStatusJson {
  queues: { name: string; visible: number; inFlight: number }[];
}

/** `sqsops process-sqs --json`: every known counter (zero included), and the identity line the CLI adds. */
export interface ProcessSqsJson extends Omit<ProcessSqsResult, 'metrics'> {
  metrics: Record<(typeof COUNTERS)[number], number>;
  identity: string;
  identityHolds: boolean;
}

/** An environment with no AWS configuration at all, as a newcomer has. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('AWS_') || k.startsWith('SQSOPS_')) continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

export function newHome(): CliHome {
  const home = mkdtempSync(join(tmpdir(), 'sqsops-e2e-'));
  const env = cleanEnv({ SQSOPS_HOME: home, SQSOPS_LOCAL_PORT: '0', SQSOPS_LOCAL_IDLE_MINUTES: '10' });
  const run: CliHome['run'] = (args, options = {}) =>
    new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...env, ...options.env }, cwd: options.cwd ?? home });
      let stdout = '';
      let stderr = '';
      // Decoded as a stream: a character whose bytes a pipe read splits is read whole.
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (d: string) => (stdout += d));
      child.stderr.on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
      child.stdin.end(options.input ?? '');
    });
  return {
    home,
    env,
    run,
    spawn: (args, options = {}) => spawn(process.execPath, [BIN, ...args], { env: { ...env, ...options.env }, cwd: home }),
    async cleanup() {
      await run(['local', 'stop']);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the home's local AWS and opens an SQS client on it with the credentials
 * `local env` gives other tools (the local AWS checks every signature).
 */
export async function startedLocalSqs(cli: CliHome): Promise<SQSClient> {
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  const started = await cli.run(['local', 'start']);
  if (started.code !== 0) throw new Error(`local start failed: ${started.stderr}`);
  const env = JSON.parse((await cli.run(['local', 'env', '--json'])).stdout) as Record<string, string>;
  return new SQSClient({
    endpoint: env.AWS_ENDPOINT_URL!,
    region: 'us-east-1',
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
  });
}

/**
 * What a file's beforeAll makes, usable from the file's top level: every property is read
 * from the made value when used (and using it before beforeAll has run is an error).
 */
export function madeBeforeAll<T extends object>(what: string, get: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const target = get();
      if (!target) throw new Error(`${what} is used before beforeAll made it`);
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A CLI home for the file's tests: made before them, its local AWS stopped and the folder removed after. */
export function homeForFile(): CliHome {
  // A folder only (its local AWS starts with the first command): made at once, no beforeAll needed.
  const cli = newHome();
  afterAll(async () => cli.cleanup());
  return cli;
}

/** A CLI home whose local AWS is started before the file's tests, with an SQS client on it (destroyed after). */
export function localSqsForFile(): { cli: CliHome; sqs: SQSClient } {
  const cli = newHome();
  let sqs: SQSClient | undefined;
  beforeAll(async () => {
    sqs = await startedLocalSqs(cli);
  });
  afterAll(async () => {
    sqs?.destroy();
    await cli.cleanup();
  });
  // The client needs the started local AWS's endpoint: it exists once beforeAll has run.
  return { cli, sqs: madeBeforeAll('the SQS client', () => sqs) };
}

/** Runs `args` in `cli`'s home and expects exit 0 (printing stderr first when it is not, to show why). */
export async function runOk(cli: CliHome, args: string[]): Promise<CliResult> {
  const r = await cli.run(args);
  if (r.code !== 0) console.error(r.stderr);
  expect(r.code).toBe(0);
  return r;
}
