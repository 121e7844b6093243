/**
 * Output that holds, from the built CLI as a process: closed pipes, widths, colour per
 * stream, --output, --out -, attributes, and the one-line errors for user mistakes.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPty } from '../helpers/pty.js';
import { BIN, newHome, type CliHome } from '../helpers/cli.js';

let cli: CliHome;
beforeAll(async () => {
  cli = newHome();
  // Wide rows to fit: long keys, long bodies, attributes.
  const bodies = Array.from({ length: 4 }, (_, i) => ({ orderId: `order-${'x'.repeat(40)}-${i}`, note: 'a long note '.repeat(20) }));
  const r = await cli.run(['produce', '--from-file', '-'], { input: bodies.map((b) => JSON.stringify(b)).join('\n') });
  expect(r.code).toBe(0);
  expect((await cli.run(['consume', '--count', '2', '--key', 'orderId', '--wait', '0'])).code).toBe(0);
});
afterAll(async () => cli.cleanup());

const widest = (text: string) => Math.max(0, ...text.split('\n').map((l) => stringWidth(l)));

/** Starts the CLI with the read end of stdout (or stderr) closed, as `| head -1` leaves it. */
function closeEarly(args: string[], stream: 'stdout' | 'stderr'): Promise<{ code: number | null; other: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cli.env, cwd: cli.home });
    let other = '';
    const closing = stream === 'stdout' ? child.stdout : child.stderr;
    const kept = stream === 'stdout' ? child.stderr : child.stdout;
    // Closed before the first write: every write fails with EPIPE (a reader that has gone, like head -1).
    closing.destroy();
    kept.on('data', (d: Buffer) => (other += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, other }));
  });
}

describe('a closed pipe', () => {
  it('ends `--help | head -1` quietly with rc 0', async () => {
    const r = await closeEarly(['--help'], 'stdout');
    expect(r.other).not.toMatch(/EPIPE|Error|at /);
    expect(r.code).toBe(0);
  });

  it('ends quietly when stdout closes during a table', async () => {
    const r = await closeEarly(['show', '--limit', '500'], 'stdout');
    expect(r.other).not.toMatch(/EPIPE|internal error|\n\s+at /);
    expect(r.code).toBe(0);
  });

  it('ends quietly when stderr is the pipe that closed', async () => {
    const r = await closeEarly(['consume', '--queue', 'nope-closed'], 'stderr');
    expect(r.other).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.code).toBe(3);
  });
});

describe('tables fit the width', () => {
  it.each([['show'], ['consume', '--peek', '--count', '2', '--wait', '0'], ['stats'], ['setup', '--dry-run']])(
    '%s at COLUMNS=80 has no line over 80',
    async (...args) => {
      const r = await cli.run(args, { env: { COLUMNS: '80' } });
      expect(r.code).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
      expect(widest(r.stdout)).toBeLessThanOrEqual(80);
    },
  );

  it('download-urls at COLUMNS=80 has no line over 80', async () => {
    const list = join(cli.home, 'urls.json');
    writeFileSync(list, JSON.stringify([{ url: `http://127.0.0.1:1/${'long-path/'.repeat(12)}file.bin` }]));
    const r = await cli.run(['download-urls', list, '--out', join(cli.home, 'dl'), '--retries', '0'], { env: { COLUMNS: '80' } });
    expect(r.code).toBe(1);
    expect(widest(r.stdout)).toBeLessThanOrEqual(80);
  });

  it('turns to one record per row ("name: value" lines) when a narrow table cannot fit', async () => {
    const r = await cli.run(['show'], { env: { COLUMNS: '30' } });
    expect(r.stdout).toMatch(/^status: +COMPLETED$/m);
  });

  it('keeps whole values (never split) so a table loses nothing but the body preview', async () => {
    const r = await cli.run(['show', '--json']);
    const ids = (JSON.parse(r.stdout) as { items: { key: string }[] }).items.map((i) => i.key);
    const narrow = await cli.run(['show'], { env: { COLUMNS: '80' } });
    expect(widest(narrow.stdout)).toBeLessThanOrEqual(80);
    for (const id of ids) expect(narrow.stdout.split('\n')).toContainEqual(expect.stringContaining(id));
  });
});

describe('stats --watch on a terminal', () => {
  const hasScript = hasPty('the terminal test');

  it.runIf(hasScript)('redraws in place, erasing every line the last block took, wrapped ones too', async () => {
    // A real pty 40 columns wide; the watch is stopped once three refreshes have been drawn, however long they took.
    const inner = `stty cols 40 rows 50; exec ${process.execPath} ${BIN} stats --watch 1 -q`;
    const raw = await new Promise<string>((resolve, reject) => {
      const child = spawn('script', ['-qfec', inner, '/dev/null'], { env: cli.env, cwd: cli.home });
      let out = '';
      child.stdout.setEncoding('utf8'); // a box-drawing character split by a read is read whole
      child.stdout.on('data', (d: string) => {
        out += d;
        if ((out.match(/\d{4}-\d\d-\d\dT[\d:.]+Z/g) ?? []).length >= 3) child.kill('SIGTERM');
      });
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
    const frames = raw.split(/(?=\d{4}-\d\d-\d\dT[\d:.]+Z)/).filter((f) => /^\d{4}-/.test(f));
    expect(frames.length).toBeGreaterThanOrEqual(2);
    const plain = (t: string) => t.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    const first = plain(frames[0]!.split('\x1b[2K')[0]!).split(/\r?\n/);
    // What the first block took on screen: each line as many rows as it wraps to at 40 columns.
    const rows = first.slice(0, -1).reduce((n, l) => n + Math.max(1, Math.ceil(stringWidth(l) / 40)), 0);
    const erased = frames[0]!.split('\x1b[2K').length - 1;
    expect(widest(first.join('\n'))).toBeLessThanOrEqual(40); // the 52-character header line was wrapped too
    expect(erased).toBeGreaterThanOrEqual(rows);
    expect(widest(plain(frames[1]!).replace(/\r/g, ''))).toBeLessThanOrEqual(40);
  });
});

describe('colour per stream', () => {
  it('writes no escape codes into a file even with colour on stderr, and honours FORCE_COLOR', async () => {
    const plain = await cli.run(['show'], { env: { NO_COLOR: '' } });
    expect(plain.stdout).not.toMatch(/\x1b\[/);
    const forced = await cli.run(['show'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(/\x1b\[1m/);
    expect(forced.stderr).toMatch(/\x1b\[2m/);
    const off = await cli.run(['show', '--no-color'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(off.stdout + off.stderr).not.toMatch(/\x1b\[/);
  });
});

describe('--output, -v and --out -', () => {
  it('prints -v as the version', async () => {
    const pkg = JSON.parse(readFileSync(join(BIN, '../../package.json'), 'utf8')) as { version: string };
    for (const flag of ['-v', '-V', '--version']) expect((await cli.run([flag])).stdout.trim()).toBe(pkg.version);
  });

  it('prints ndjson as one JSON object a line, and json as one document', async () => {
    const nd = await cli.run(['show', '--output', 'ndjson']);
    const lines = nd.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(JSON.parse(l)).toMatchObject({ status: 'COMPLETED' });
    const js = await cli.run(['show', '--output', 'json']);
    expect(JSON.parse(js.stdout)).toMatchObject({ total: 2 });
    const both = await cli.run(['show', '--json', '--output', 'table']);
    expect(both.code).toBe(2);
  });

  it('shows attributes and whole bodies in consume --json, and exports to stdout with --out -', async () => {
    const peek = await cli.run(['consume', '--peek', '--count', '1', '--json', '--wait', '0']);
    const m = (JSON.parse(peek.stdout) as { messages: { body: string; attributes: Record<string, string> }[] }).messages[0]!;
    expect(m.attributes).toBeTypeOf('object');
    expect(JSON.parse(m.body)).toMatchObject({ note: expect.stringMatching(/^(a long note ){20}$/) });
    const out = await cli.run(['consume', '--count', '2', '--key', 'orderId', '--wait', '0', '--out', '-']);
    expect(out.code).toBe(0);
    const rows = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; status: string });
    expect(rows.map((r) => r.status)).toEqual(['recorded', 'recorded']);
    expect(out.stderr).toMatch(
      /2 taken from sqsops-events: 2 handed over \(2 recorded, 0 duplicates\), 2 deleted, 0 left on the queue, 0 released/,
    );
  });
});

describe('errors that name the real cause', () => {
  let server: Server;
  let foreign: string;
  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<!DOCTYPE html><p>not here</p>'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    foreign = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const awsEnv = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1' };

  it('gives rc 2 for a bad table name', async () => {
    const r = await cli.run(['show', '--table', 'bad name!']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: "bad name!" is not a valid table name$/m);
  });

  it('gives rc 4 for an endpoint that is not AWS, saying what answered', async () => {
    const r = await cli.run(['show', '--endpoint-url', foreign], { env: awsEnv });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/did not answer as DynamoDB \(HTTP 404, text\/html/);
  });

  it('does not blame the local AWS for an unreachable --endpoint-url', async () => {
    const r = await cli.run(['consume', '--endpoint-url', 'http://127.0.0.1:1'], { env: awsEnv });
    expect(r.code).toBe(4);
    expect(r.stderr).not.toMatch(/local AWS running/);
    expect(r.stderr).toMatch(/hint: is a service listening at http:\/\/127\.0\.0\.1:1/);
  });

  it('says an AWS profile is not found, naming ./.env when it came from there', async () => {
    const aws = join(cli.home, 'aws');
    mkdirSync(aws, { recursive: true });
    const env = { AWS_CONFIG_FILE: join(aws, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(aws, 'credentials') };
    const r = await cli.run(['show'], { env: { ...env, AWS_PROFILE: 'nope' } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: AWS profile "nope" \(from AWS_PROFILE\) is not defined/m);
    const dir = join(cli.home, 'dotenv');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.env'), 'AWS_PROFILE=nope\n');
    const d = await cli.run(['show'], { env, cwd: dir });
    expect(d.stderr).toMatch(/from AWS_PROFILE in \.\/\.env/);
  });

  it('names ./.env on the target line and SQSOPS_TARGET only when it is set', async () => {
    const dir = join(cli.home, 'dotenv2');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.env'), 'SQSOPS_QUEUE=sqsops-events\n');
    const r = await cli.run(['show', '--limit', '1'], { cwd: dir });
    expect(r.stderr).toMatch(/^target: local AWS .*; from \.\/\.env: SQSOPS_QUEUE$/m);
  });

  it('creates nothing for a typo: rc 3 with the setup hint', async () => {
    for (const args of [
      ['show', '--table', 'nope'],
      ['process-sqs', '--queue', 'nope2', '--drain', '--wait', '0'],
    ]) {
      const r = await cli.run(args);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/hint: create it with `sqsops setup/);
    }
    const status = await cli.run(['local', 'status', '--json']);
    expect(status.stdout).not.toMatch(/nope2/);
  });

  it("shows process-sqs's outcomes and deletes at zero in its table, and no rejects row without tasks", async () => {
    expect((await cli.run(['setup', '--queue', 'idle-run', '--table', 'idle-run-ledger'])).code).toBe(0);
    const r = await cli.run(['process-sqs', '--queue', 'idle-run', '--table', 'idle-run-ledger', '--drain', '--wait', '0']);
    expect(r.code, r.stderr).toBe(0);
    const zeros = r.stdout.split('\n').flatMap((line) => /^\W*(\w+)\W+0\W*$/.exec(line)?.[1] ?? []);
    expect(zeros).toEqual([
      'MessagesReceived',
      'MessagesSaved',
      'DuplicateMessages',
      'InvalidMessages',
      'MessagesRetried',
      'MessagesDeferred',
      'MessagesDeleted',
    ]);
  });

  it('escapes control characters echoed from input', async () => {
    const r = await cli.run(['consume', '--queue', 'q\x1b]0;x\x07']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/[\x07\x1b]/);
    // Shown, not acted on: escaped by the output (\e, \x07) or masked by the redactor before it (?).
    expect(r.stderr).toMatch(/^error: "q(\\e|\?)\]0;x(\\x07|\?)" is not a valid queue name$/m);
  });

  it('refuses non-UTF-8 input naming the line, and --queue with --topic', async () => {
    const file = join(cli.home, 'latin1.ndjson');
    writeFileSync(file, Buffer.concat([Buffer.from('{"a":1}\n{"b":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]));
    const r = await cli.run(['produce', '--from-file', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/latin1\.ndjson:2: not UTF-8/);
    const both = await cli.run(['produce', '--queue', 'a', '--topic', 'b']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^error: --queue and --topic are two destinations; give one$/m);
  });
});
