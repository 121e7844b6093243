/**
 * A terminal that reports 0 columns and 0 rows (`script`, some CI ptys, `docker exec -t` before
 * a resize) is treated as a pipe: no spinner, no live view, plain lines. Each command ends by
 * itself with a small output, and ends on SIGINT with exit 130. Real ptys via util-linux `script`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPty } from '../helpers/pty.js';
import { BIN, newHome, type CliHome } from '../helpers/cli.js';

const hasScript = hasPty('the 0-column terminal tests');

/** Far above what a run prints here (a few hundred bytes), far below what a redraw loop writes in a second (megabytes). */
const SMALL = 16 * 1024;
/** A hang guard only: a run that does not end by then has hung (on main it ran until SIGKILL). */
const HANG_MS = 90_000;

let cli: CliHome;
let silent: Server;
let silentUrl: string;
const sockets = new Set<Socket>();
beforeAll(async () => {
  cli = newHome();
  expect((await cli.run(['produce', '--count', '5'])).code).toBe(0);
  // A server that accepts and never answers: a command against it stays in flight until interrupted.
  silent = createServer((s) => sockets.add(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
  await cli.cleanup();
});

interface PtyRun {
  code: number | null;
  /** Everything the pty showed (stdout and stderr of the command). */
  shown: string;
  /** Milliseconds from the SIGINT to the end. */
  afterSignalMs?: number;
}

const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the CLI on a pty of 0 × 0. With `interruptWhen`, sends SIGINT to it once the output
 * matches; `redirect` sends stdout to that file (as `sqsops produce > out` does).
 */
async function inZeroPty(
  args: string[],
  opts: { interruptWhen?: RegExp; redirect?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<PtyRun> {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ') + (opts.redirect ? ` > ${quote(opts.redirect)}` : '');
  // $$ is the shell, which exec turns into the CLI: the pid to signal.
  const inner = `stty cols 0 rows 0; echo "PID=$$"; exec ${command}`;
  const child = spawn('script', ['-qfec', inner, '/dev/null'], { env: { ...cli.env, ...opts.env }, cwd: cli.home });
  let shown = '';
  let signalledAt: number | undefined;
  const guard = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
  child.stdout.setEncoding('utf8'); // a character split by a read is read whole
  child.stdout.on('data', (d: string) => {
    shown += d;
    if (opts.interruptWhen && signalledAt === undefined && opts.interruptWhen.test(shown)) {
      const pid = Number(/PID=(\d+)/.exec(shown)?.[1]);
      signalledAt = performance.now();
      process.kill(pid, 'SIGINT');
    }
  });
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(guard);
  return { code, shown, afterSignalMs: signalledAt === undefined ? undefined : performance.now() - signalledAt };
}

/** No spinner frame, no cursor movement or line erase: nothing was drawn. */
function expectNothingDrawn(text: string) {
  expect(text).not.toMatch(/\x1b\[\d*[AK]|\x1b\[J|[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
}

describe.runIf(hasScript)('a terminal of 0 columns and 0 rows', () => {
  it.each([
    ['produce', ['produce', '--count', '2000'], 'out-produce.txt'],
    ['consume', ['consume', '--count', '3', '--wait', '0'], undefined],
    ['show', ['show'], undefined],
    ['stats', ['stats'], undefined],
  ])('%s ends by itself, drawing nothing, with a small output', async (_name, args, redirect) => {
    const r = await inZeroPty(args, { redirect });
    expect(r.code, r.shown.slice(0, 2000)).toBe(0);
    expect(r.shown.length).toBeLessThan(SMALL);
    expectNothingDrawn(r.shown);
    expect(r.shown).toMatch(/^target: local AWS/m);
    if (redirect) expect(readFileSync(join(cli.home, redirect), 'utf8')).toMatch(/│ sent +│ 2000 +│/);
  });

  it.each([
    // Long enough to be mid-run at the signal: 20,000 sends, a 20-second receive, a refresh loop, a server that never answers.
    ['produce', ['produce', '--count', '20000', '--queue', 'pty-produce'], {}],
    ['consume', ['consume', '--queue', 'pty-empty', '--count', '10', '--wait', '20'], {}],
    ['stats', ['stats', '--watch', '1'], {}],
    ['show', ['show', '--endpoint-url', 'SILENT'], { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'us-east-1' }],
  ])('%s ends on SIGINT with exit 130 and a small output', async (name, args, env) => {
    if (name === 'consume') expect((await cli.run(['setup', '--queue', 'pty-empty'])).code).toBe(0);
    const r = await inZeroPty(
      args.map((a) => (a === 'SILENT' ? silentUrl : a)),
      { interruptWhen: /^target: [^\n]*\n/m, env, redirect: name === 'produce' ? 'out-interrupted.txt' : undefined },
    );
    expect(r.afterSignalMs, r.shown.slice(0, 2000)).toBeDefined();
    expect(r.code, r.shown.slice(0, 2000)).toBe(130);
    expect(r.shown).toMatch(/SIGINT: finishing what is in flight/);
    expect(r.shown.length).toBeLessThan(SMALL);
    expectNothingDrawn(r.shown);
    console.log(`${name}: ended ${Math.round(r.afterSignalMs!)} ms after SIGINT on a 0-column pty`);
  });
});
