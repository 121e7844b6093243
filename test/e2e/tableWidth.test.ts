/**
 * Tables at a glance, on real ptys 60, 80, 120 and 200 columns wide: every command that prints a
 * table keeps each stdout line within the width, never splits an id, a URL or a header word, and
 * turns a message table into "name: value" records under 100 columns. Also the output contract:
 * `consume --out FILE` prints counts only, `--log-format json` makes every stderr line JSON, and a
 * Ctrl-C typed on the terminal (a real ^C byte, not a signal sent by pid) stops a run with 130.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPty } from '../helpers/pty.js';
import { BIN, newHome, type CliHome } from '../helpers/cli.js';

const hasScript = hasPty('the pty width tests');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
const plain = (t: string) => t.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');

let cli: CliHome;
let files: Server;
let filesUrl: string;
beforeAll(async () => {
  cli = newHome();
  // A file server on loopback for download-urls; URLs of 50-odd characters, wider than the room beside a name at 60.
  files = createServer((_q, r) => r.end('hello'));
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  const urls = [1, 2, 3].map((i) => `${filesUrl}/exports/2026/12/07/orders-${i}.ndjson`);
  writeFileSync(join(cli.home, 'urls.json'), JSON.stringify(urls));
  for (const args of [
    ['produce', '--count', '40'],
    // One queue to purge per width: SQS allows one purge of a queue per 60 seconds.
    ['setup', '--queue', 'tw-dest', 'tw-purge-60', 'tw-purge-80', 'tw-purge-120', 'tw-purge-200', '--no-dlq'],
    ['process-sqs', '--count', '5', '--wait', '1'],
    ['move', '--from', 'sqsops-events', '--to', 'sqsops-events-dlq', '--max', '3', '--wait', '1'],
  ]) {
    expect((await cli.run(args)).code, args.join(' ')).toBe(0);
  }
}, 120_000);
afterAll(async () => {
  await new Promise<void>((r) => files.close(() => r()));
  await cli.cleanup();
});

/** Runs the CLI with stdout on a pty `cols` wide (stderr to a pipe, so no spinner draws there). */
async function onPty(cols: number, args: string[], input?: { after: RegExp; send: string }): Promise<{ shown: string; code: number }> {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  // A Ctrl-C typed on the pty reaches the whole foreground group, the shell too: the shell traps
  // it so it lives on to print the CLI's exit code (dash, the usual /bin/sh, would die of it).
  const inner = `trap true INT; stty cols ${cols} rows 40; ${command}${input ? '' : ' 2>/dev/null'}; echo "RC=$?"`;
  const child = spawn('script', ['-qfec', inner, '/dev/null'], { env: cli.env, cwd: cli.home });
  let shown = '';
  let sent = false;
  const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
  // Decoded as a stream: a box-drawing character split by a read is read whole.
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    shown += d;
    if (input && !sent && input.after.test(plain(shown))) {
      sent = true;
      child.stdin.write(input.send);
    }
  });
  await new Promise((r) => child.on('close', r));
  clearTimeout(guard);
  const text = plain(shown);
  const code = Number(/RC=(\d+)/.exec(text)?.[1] ?? -1);
  return { shown: text.replace(/RC=\d+\n?$/, ''), code };
}

/** The table commands, each with the header words it must show whole. */
const COMMANDS: [string, string[], string[]][] = [
  ['consume --peek', ['consume', '--peek', '--count', '3', '--wait', '0'], ['message', 'attributes', 'body']],
  ['consume', ['consume', '--count', '2', '--wait', '0'], ['message', 'attributes', 'body']],
  ['show', ['show', '--limit', '5'], ['status', 'message']],
  ['stats', ['stats'], ['queue', 'visible', 'flight', 'delayed', 'oldest']],
  ['process-sqs', ['process-sqs', '--count', '2', '--wait', '1', '--metrics', 'table'], ['MessagesReceived']],
  ['produce', ['produce', '--count', '2'], ['produce']],
  [
    'move --dry-run',
    ['move', '--from', 'sqsops-events', '--to', 'tw-dest', '--dry-run', '--max', '2', '--wait', '1'],
    ['would', 'receives', 'body'],
  ],
  [
    'redrive-dlq --dry-run',
    ['redrive-dlq', '--from', 'sqsops-events-dlq', '--to', 'tw-dest', '--dry-run', '--manual', '--wait', '1'],
    ['attributes', 'body'],
  ],
  ['purge', ['purge', 'tw-purge-COLS'], ['removed']],
  ['setup --dry-run', ['setup', '--dry-run'], ['resource', 'settings', 'action']],
  ['local status', ['local', 'status'], ['endpoint', 'state dir', 'visible', 'flight']],
  ['load', ['load', '--rate', '10', '--duration', '1s', '--drain-timeout', '20s'], ['processed', 'latency', 'oldest waited']],
  [
    'download-urls',
    ['download-urls', 'urls.json', '--out', 'dl', '--force', '--allow-address', '127.0.0.1'],
    ['status', 'attempts', 'destination'],
  ],
];

describe.runIf(hasScript).each([60, 80, 120, 200])('at %i columns', (cols) => {
  it.each(COMMANDS)('%s fits: no line over the width, no id or header word split', async (_name, args, words) => {
    const { shown, code } = await onPty(
      cols,
      args.map((a) => a.replace('COLS', String(cols))),
    );
    expect(code).toBe(0);
    const lines = shown.split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(cols);
    // Every id-shaped token is a whole id: a piece of one would be a split.
    const tokens = lines.flatMap((l) => l.split(/[\s│]+/));
    for (const t of tokens.filter((t) => /^[0-9a-f]{4,}-[0-9a-f-]+$/.test(t))) expect(t).toMatch(UUID);
    for (const word of words) expect(shown).toContain(word);
    // URLs are whole: the scheme and the host:port never apart from the path.
    if (args[0] === 'download-urls')
      for (const i of [1, 2, 3]) expect(shown).toContain(`${filesUrl}/exports/2026/12/07/orders-${i}.ndjson`);
    if (args[0] === 'local') expect(shown).toMatch(/http:\/\/127\.0\.0\.1:\d+/);
    // A message table under 100 columns is records: "name: value", not a squeezed table.
    if (args[0] === 'consume' && cols < 100) expect(shown).toMatch(/^message id: [0-9a-f-]{36}$/m);
    if (args[0] === 'consume' && cols >= 200) expect(shown).toMatch(/^│ message id +│/m);
  });
});

describe.runIf(hasScript)('--wide', () => {
  it('shows bodies whole, past the width', async () => {
    const cut = await onPty(80, ['consume', '--peek', '--count', '1', '--wait', '0']);
    expect(cut.shown).toMatch(/^body: +\{.*…$/m);
    const whole = await onPty(80, ['--wide', 'consume', '--peek', '--count', '1', '--wait', '0']);
    const body = /│ (\{"eventType".*\}) +│\s*$/m.exec(whole.shown)?.[1];
    expect(() => JSON.parse(body ?? '')).not.toThrow();
  });
});

describe('one output contract', () => {
  it('consume --out FILE prints the counts on stdout, not the messages', async () => {
    const r = await cli.run(['consume', '--count', '5', '--wait', '0', '--out', 'export.ndjson']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('exported');
    expect(r.stdout).not.toMatch(/eventType|message id/);
    expect(r.stdout.split('\n').length).toBeLessThan(15);
  });

  it('process-sqs --log-format json: every stderr line is one JSON object, errors too', async () => {
    const ok = await cli.run(['process-sqs', '--count', '3', '--wait', '1', '--log-format', 'json']);
    expect(ok.code).toBe(0);
    const lines = ok.stderr.trim().split('\n');
    const parsed = lines.map((l) => JSON.parse(l) as { level?: string; message?: string; action?: string });
    expect(parsed.some((p) => p.message?.startsWith('target:'))).toBe(true);
    expect(parsed.some((p) => p.message?.startsWith('received 3 ='))).toBe(true);
    expect(parsed.some((p) => p.message?.startsWith('schema:'))).toBe(true);
    expect(parsed.filter((p) => p.action).length).toBeGreaterThanOrEqual(3);
    const bad = await cli.run(['process-sqs', '--queue', 'tw-missing', '--count', '1', '--wait', '1', '--log-format', 'json']);
    expect(bad.code).toBe(3);
    const errors = bad.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level?: string; hint?: string });
    expect(errors.at(-1)).toMatchObject({ level: 'error' });
    expect(errors.at(-1)!.hint).toBeTruthy();
  });

  it('load --log-format json: every stderr line is one JSON object, a progress line each interval', async () => {
    const r = await cli.run(['load', '--rate', '10', '--duration', '2s', '--drain-timeout', '20s', '--log-format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const parsed = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level?: string; message?: string; sent?: number });
    expect(parsed.some((p) => p.message?.startsWith('target:'))).toBe(true);
    expect(parsed.filter((p) => p.level === 'progress').length).toBeGreaterThanOrEqual(2);
    expect(r.stdout).toContain('processed');
  });

  it('process-sqs --log-format json keeps stderr JSON through a SIGINT', async () => {
    expect((await cli.run(['setup', '--queue', 'tw-idle', '--no-dlq'])).code).toBe(0);
    const child = cli.spawn(['process-sqs', '--queue', 'tw-idle', '--wait', '2', '--log-format', 'json']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('"target:') && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    const parsed = stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { message?: string });
    expect(parsed.some((p) => p.message?.startsWith('SIGINT: finishing'))).toBe(true);
    expect(parsed.some((p) => p.message?.startsWith('received 0 ='))).toBe(true);
    // process-sqs drains on a signal: that is its normal end (see docs/configuration.md's exit codes).
    expect(code).toBe(0);
  });

  it.runIf(hasScript)('a Ctrl-C typed on the terminal stops consume while its spinner spins: 130', async () => {
    expect((await cli.run(['setup', '--queue', 'tw-empty', '--no-dlq'])).code).toBe(0);
    const r = await onPty(80, ['consume', '--queue', 'tw-empty', '--count', '5', '--wait', '20'], { after: /taking up to/, send: '\x03' });
    // Left alone it would end with 0 after its 20 s poll: 130 and the word say the Ctrl-C ended it.
    expect(r.code).toBe(130);
    expect(r.shown).toContain('interrupted');
  });

  it.runIf(hasScript)('a Ctrl-C typed on the terminal stops download-urls: its summary, then 130', async () => {
    const slow = createServer((_q, r) => setTimeout(() => r.end('late'), 1500));
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    writeFileSync(join(cli.home, 'slow.json'), JSON.stringify(Array.from({ length: 20 }, (_, i) => `${base}/f${i}`)));
    try {
      const args = ['download-urls', 'slow.json', '--out', 'slow', '-c', '2', '--allow-address', '127.0.0.1'];
      const r = await onPty(100, args, { after: /downloading 20 files/, send: '\x03' });
      expect(r.shown).toMatch(/failed +│ \d+/);
      expect(r.shown).toContain('(interrupted)');
      expect(r.code).toBe(130);
    } finally {
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });
});
