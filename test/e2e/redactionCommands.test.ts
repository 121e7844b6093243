/**
 * No endpoint secret in any byte of any command's output: every command of the program (read
 * from it, so a new command is covered without touching this file), with a password and a
 * token in --endpoint-url, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE> and ./.env, in table
 * (with --debug), --json and --log-format json modes. The endpoint is a closed port on
 * 127.0.0.1, so each command fails fast after printing its target line and its error.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { SERVICES } from '../../src/aws/target.js';
import { newHome, ROOT, type CliHome, type CliResult } from '../helpers/cli.js';

const PASSWORD = 'S3cr3tPW-ep41';
const TOKEN = 'TOKSECRET456-ep42';
const SECRETS = [PASSWORD, TOKEN, encodeURIComponent(PASSWORD)];

/** Values for the arguments and required options commands declare, by name; anything else gets "x". */
const VALUES: Record<string, string> = { path: join(ROOT, 'examples/tasks'), queue: 'redact-q', from: 'redact-q', to: 'redact-q2' };
/** Only to keep each run short against a dead endpoint (no retry back-off, no 30-second run). */
const QUICK: Record<string, string[]> = {
  'download-urls': ['--retries', '0'],
  load: ['--duration', '1s', '--drain-timeout', '1s'],
  'process-sqs': ['--drain', '--wait', '0'],
  consume: ['--wait', '0'],
};

interface Invocation {
  name: string;
  args: string[];
  takesLogFormat: boolean;
}

/** Every command and subcommand of the program, with what it needs to run. */
function invocations(urls: string): Invocation[] {
  const program = buildProgram(async () => {});
  const out: Invocation[] = [];
  const visit = (cmd: (typeof program.commands)[number], path: string[]) => {
    if (cmd.commands.length) {
      for (const c of cmd.commands) visit(c, [...path, c.name()]);
      return;
    }
    const name = path.join(' ');
    const args = cmd.registeredArguments.map((a) => (a.name() === 'file' ? urls : (VALUES[a.name()] ?? 'x')));
    for (const o of cmd.options.filter((o) => o.mandatory)) args.push(o.long!, VALUES[o.attributeName()] ?? 'x');
    const takesLogFormat = cmd.options.some((o) => o.long === '--log-format');
    out.push({ name, args: [...path, ...args, ...(QUICK[name] ?? [])], takesLogFormat });
  };
  for (const c of program.commands) visit(c, [c.name()]);
  return out;
}

let cli: CliHome;
let endpoint: string;
let urls: string;
let dotenvDir: string;
beforeAll(async () => {
  cli = newHome();
  // A port that was free a moment ago: connections to it are refused at once.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  endpoint = `http://user:${PASSWORD}@127.0.0.1:${port}/?token=${TOKEN}`;
  urls = join(cli.home, 'urls.txt');
  writeFileSync(urls, `${endpoint}\n`);
  dotenvDir = join(cli.home, 'dotenv');
  mkdirSync(dotenvDir);
  writeFileSync(join(dotenvDir, '.env'), `AWS_ENDPOINT_URL=${endpoint}\n`);
});
afterAll(async () => cli.cleanup());

type Source = 'flag' | 'AWS_ENDPOINT_URL' | 'AWS_ENDPOINT_URL_<SERVICE>' | './.env';
const SOURCES: Source[] = ['flag', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_<SERVICE>', './.env'];
const MODES = ['table', 'json', 'log-format json'] as const;

/** Credentials so that each command goes as far as the wire; one attempt per call. */
const AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAREDACTTEST',
  AWS_SECRET_ACCESS_KEY: 'SecretKey-ep43',
  AWS_REGION: 'us-east-1',
  AWS_MAX_ATTEMPTS: '1',
};

function runOne(inv: Invocation, source: Source, mode: (typeof MODES)[number]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...AWS_ENV };
  const args = [...inv.args, '--yes'];
  if (source === 'flag') args.push('--endpoint-url', endpoint);
  if (source === 'AWS_ENDPOINT_URL') env.AWS_ENDPOINT_URL = endpoint;
  if (source === 'AWS_ENDPOINT_URL_<SERVICE>') for (const s of SERVICES) env[`AWS_ENDPOINT_URL_${s.toUpperCase()}`] = endpoint;
  if (mode === 'table') args.push('--debug');
  if (mode === 'json') args.push('--json');
  if (mode === 'log-format json') {
    env.SQSOPS_LOG_FORMAT = 'json';
    if (inv.takesLogFormat) args.push('--log-format', 'json', '--debug');
  }
  return withGuard(cli.run(args, { env, cwd: source === './.env' ? dotenvDir : cli.home }), 60_000);
}

/** A hang guard, not a speed assertion: a run that never ends fails the test instead of stalling it. */
function withGuard<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no end after ${ms} ms`)), ms).unref())]);
}

describe('no endpoint secret in any output of any command', () => {
  it('holds for every command, every way of giving the endpoint, and every output mode', async () => {
    const all = invocations(urls);
    expect(all.map((i) => i.name)).toEqual(expect.arrayContaining(['produce', 'consume', 'stats', 'show', 'local status']));
    // Two cores shared: a few runs at a time.
    const limit = pLimit(3);
    const runs = all.flatMap((inv) =>
      SOURCES.flatMap((source) =>
        MODES.filter((m) => m !== 'log-format json' || inv.takesLogFormat).map((mode) =>
          limit(async () => ({ what: `${inv.args.join(' ')} [${source}, ${mode}]`, source, r: await runOne(inv, source, mode) })),
        ),
      ),
    );
    const results = await Promise.all(runs);
    for (const { what, r } of results) {
      const output = r.stdout + r.stderr;
      for (const secret of [...SECRETS, AWS_ENV.AWS_SECRET_ACCESS_KEY]) expect(output, `${what}:\n${output}`).not.toContain(secret);
    }
    // The test saw what it guards: target lines naming the masked endpoint, from each source, and wire errors.
    for (const source of SOURCES) {
      const targets = results.filter(
        (x) => x.source === source && /^target: AWS .*endpoint http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1/m.test(x.r.stderr),
      );
      expect(targets.length, source).toBeGreaterThan(0);
    }
    expect(results.some(({ r }) => /cannot reach \w+ at http:\/\/user:\*\*\*@127\.0\.0\.1/.test(r.stderr))).toBe(true);
    console.log(`${results.length} runs of ${all.length} commands, none printed a secret`);
  }, 600_000);

  it('prints the target line docs/security.md shows', async () => {
    const security = readFileSync(join(ROOT, 'docs/security.md'), 'utf8');
    const [, command, shown] = /```text\n\$ sqsops (stats .*)\n([\s\S]*?)```/.exec(security)!;
    const args = command!.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ''));
    const r = await cli.run(args);
    expect(r.stderr.split('\n')[0]).toBe(shown!.trim());
    expect(r.stderr).not.toMatch(/S3cr3tPW|TOKSECRET456/);
  });
});
