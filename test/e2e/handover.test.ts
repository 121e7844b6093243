/**
 * Hand over, then delete, through the built CLI: Ctrl-C and SIGTERM at a random point of a
 * consume (to stdout in each format, and to a file), a full disk under `consume --out` and
 * `move --to`, a reader that closes stdout early, and empty paths. After each run every
 * message is either in the output exactly once or still on the queue, and the summary says so.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BIN, localSqsForFile, parseJson, type LocalStatusJson } from '../helpers/cli.js';
import { drainAll, urlOf } from '../helpers/messages.js';
import { mountTmpfs, tmpfsAvailable } from '../helpers/tmpfs.js';

const { cli, sqs } = localSqsForFile();

const SENT = 300;
const SUMMARY =
  /(\d+) taken from [\w.-]+: (\d+) handed over \((\d+) recorded, (\d+) duplicates\), (\d+) deleted, (\d+) left on the queue, (\d+) released/;

/** A fresh queue holding `n` order events. */
async function queueOf(name: string, n = SENT): Promise<void> {
  expect((await cli.run(['setup', '--queue', name, '--no-dlq'])).code).toBe(0);
  expect((await cli.run(['produce', '--queue', name, '--count', String(n)])).code).toBe(0);
}

/** Visible plus in flight: a message taken when the signal came is in flight until its visibility timeout. */
async function onQueue(name: string): Promise<number> {
  const status = parseJson<LocalStatusJson>((await cli.run(['local', 'status', '--json'])).stdout);
  const q = status.queues.find((x) => x.name === name)!;
  return q.visible + q.inFlight;
}

/** The consume summary line's counts. */
function summaryOf(stderr: string) {
  const m = SUMMARY.exec(stderr);
  expect(m, stderr).not.toBeNull();
  const [taken, handedOver, , , deleted, left, released] = m!.slice(1).map(Number) as number[];
  return { taken: taken!, handedOver: handedOver!, deleted: deleted!, left: left!, released: released! };
}

/** How many records the ledger holds (the run's own table): it says COMPLETED only for what was handed over. */
async function ledgerRows(table: string): Promise<number> {
  const r = await cli.run(['show', '--table', table, '--json', '--limit', '10000']);
  return parseJson<{ total: number }>(r.stdout).total;
}

/** The message ids each output carries, in order. */
const idsOf: Record<string, (stdout: string, file: string) => string[]> = {
  '--out -': (s) => lines(s).map((l) => (JSON.parse(l) as { messageId: string }).messageId),
  '--output ndjson': (s) => lines(s).map((l) => (JSON.parse(l) as { messageId: string }).messageId),
  '--json': (s) => (JSON.parse(s) as { messages: { messageId: string }[] }).messages.map((m) => m.messageId),
  table: (s) => [...s.matchAll(/^│ ([0-9a-f-]{36}) │/gm)].map((m) => m[1]!),
  '--out FILE': (_s, file) =>
    (existsSync(file) ? lines(readFileSync(file, 'utf8')) : []).map((l) => (JSON.parse(l) as { messageId: string }).messageId),
};

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

function modeArgs(mode: string, file: string): string[] {
  if (mode === 'table') return [];
  if (mode === '--out FILE') return ['--out', file];
  return mode.split(' ');
}

function collect(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return { stdout: () => stdout, stderr: () => stderr };
}

/** Resolves once the run has handed something over: output on stdout, or a file that is no longer empty. */
async function firstHandOver(out: () => string, err: () => string, file: string): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (out().length > 0 || (existsSync(file) && statSync(file).size > 0)) return;
    await sleep(10);
  }
  throw new Error(`nothing was handed over within 15 s; stderr:\n${err()}`);
}

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('consume stopped by %s at a random point', (signal, exitCode) => {
  it.each(Object.keys(idsOf))('to %s: what was deleted was handed over once, the rest is on the queue', async (mode) => {
    const name = `ho-${signal}-${mode.replace(/\W+/g, '')}`.toLowerCase();
    const table = `${name}-ledger`;
    const file = join(cli.home, `${name}.ndjson`);
    await queueOf(name);
    expect((await cli.run(['setup', '--table', table, '--queue', name, '--no-dlq'])).code).toBe(0);
    const args = ['consume', '--queue', name, '--count', '1000', '--wait', '1', '--no-schema', '--table', table, ...modeArgs(mode, file)];
    const child = cli.spawn(args, { env: { COLUMNS: '400' } });
    const io = collect(child);
    await firstHandOver(io.stdout, io.stderr, file);
    const delay = Math.floor(Math.random() * 400);
    await sleep(delay);
    child.kill(signal);
    const [code] = await once(child, 'close');
    const why = `${signal} after ${delay} ms; stderr:\n${io.stderr()}`;
    expect(code, why).toBe(exitCode);
    const s = summaryOf(io.stderr());
    expect(io.stderr()).toMatch(
      new RegExp(`^error: interrupted: ${s.deleted} handed over and deleted, ${s.released} released; ${name} holds`, 'm'),
    );
    const ids = idsOf[mode]!(io.stdout(), file);
    expect(new Set(ids).size, why).toBe(ids.length);
    expect(ids.length, why).toBe(s.handedOver);
    expect(s.deleted, why).toBe(s.handedOver);
    expect(s.taken, why).toBe(s.handedOver + s.left + s.released);
    expect(s.deleted + (await onQueue(name)), why).toBe(SENT);
    expect(await ledgerRows(table), why).toBe(s.handedOver);
    if (mode === '--json') expect(JSON.parse(io.stdout())).toMatchObject({ handedOver: s.handedOver, stoppedBy: 'interrupted' });
  });
});

describe('a reader that closes stdout early', () => {
  it.each(['--out -', '--output ndjson', 'table'])(
    '%s: every deleted message reached the reader once; the rest is on the queue',
    async (mode) => {
      const name = `ho-closed-${mode.replace(/\W+/g, '')}`;
      await queueOf(name);
      const child = cli.spawn(['consume', '--queue', name, '--count', '1000', '--wait', '1', '--no-schema', ...modeArgs(mode, '')], {
        env: { COLUMNS: '400' },
      });
      let got = '';
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      // Takes what it is given and goes away after 3 lines (a table's first 3 lines are its top border and head).
      child.stdout?.on('data', (d: Buffer) => {
        got += d.toString();
        if (lines(got).length >= 3) child.stdout?.destroy();
      });
      const [code] = await once(child, 'close');
      expect(code, stderr).toBe(1);
      const s = summaryOf(stderr);
      expect(stderr).toMatch(/^error: stdout was closed by its reader: \d+ handed over and deleted, \d+ released/m);
      const ids = idsOf[mode]!(got, '');
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length, stderr).toBe(s.deleted);
      expect(s.deleted + (await onQueue(name)), stderr).toBe(SENT);
    },
  );

  it('`| head -n 3`: the counts add up (head itself drops what it read past its third line)', async () => {
    const name = 'ho-head';
    await queueOf(name);
    const child = spawn(
      'sh',
      ['-c', `"${process.execPath}" "${BIN}" consume --queue ${name} --count 1000 --wait 1 --no-schema --out - | head -n 3`],
      {
        env: cli.env,
        cwd: cli.home,
      },
    );
    const io = collect(child);
    await once(child, 'close');
    expect(lines(io.stdout())).toHaveLength(3);
    const s = summaryOf(io.stderr());
    expect(s.released, io.stderr()).toBeGreaterThan(0);
    expect(s.deleted + (await onQueue(name))).toBe(SENT);
  });
});

describe('paths that name nothing', () => {
  it.each([
    [['consume', '--queue', 'ho-empty', '--out', ''], '--out'],
    [['consume', '--queue', 'ho-empty', '--out', '   '], '--out'],
    [['move', '--from', 'ho-empty', '--to', ''], '--to'],
    [['move', '--from', 'ho-empty', '--to', ' '], '--to'],
    [['consume', '--queue', 'ho-empty', '--schema', ''], '--schema'],
    [['produce', '--queue', 'ho-empty', '--from-file', ''], '--from-file'],
    [['load', '--queue', 'ho-empty', '--report', ''], '--report'],
  ])('%j is refused in one line with exit 2, and nothing is taken', async (args, flag) => {
    if (!(await cli.run(['local', 'status', '--json'])).stdout.includes('"ho-empty"')) await queueOf('ho-empty', 5);
    const r = await cli.run(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`error: ${flag} is empty: give it a path (a file or folder name)`);
    expect(await onQueue('ho-empty')).toBe(5);
  });
});

const canMount = tmpfsAvailable('full-disk handover tests');

describe.runIf(canMount)('a disk that fills up (a 200 KiB tmpfs)', () => {
  /** The file's records (every line must parse) and the ids still on the queue, drained. */
  async function afterwards(file: string, name: string) {
    const records = lines(readFileSync(file, 'utf8')).map((l) => (JSON.parse(l) as { messageId: string }).messageId);
    const left = (await drainAll(sqs, await urlOf(sqs, name))).map((m) => m.MessageId!);
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
    expect(new Set(records).size).toBe(records.length);
    expect(records.filter((id) => left.includes(id))).toEqual([]);
    expect(records.length + left.length).toBe(SENT);
    return { records, left };
  }

  it('consume --out: every message is in the file (whole lines) or still on the queue, as the summary says', async () => {
    const disk = mountTmpfs(200);
    if (typeof disk === 'string') throw new Error(disk);
    try {
      const name = 'ho-full-consume';
      await queueOf(name);
      const file = join(disk.dir, 'c.ndjson');
      const r = await cli.run([
        'consume',
        '--queue',
        name,
        '--count',
        '1000',
        '--wait',
        '1',
        '--no-schema',
        '--out',
        file,
        '--output',
        'ndjson',
      ]);
      expect(r.code, r.stderr).toBe(1);
      const said =
        /^error: cannot write .*c\.ndjson: the disk is full \(ENOSPC\): (\d+) exported and deleted, (\d+) released; ho-full-consume holds (\d+)$/m.exec(
          r.stderr,
        );
      expect(said, r.stderr).not.toBeNull();
      const { records } = await afterwards(file, name);
      expect(records.length).toBe(Number(said![1]));
      expect(Number(said![3])).toBe(SENT - records.length);
      // The messages are in the file; stdout carries the counts only, and they agree with it.
      expect(lines(r.stdout)).toHaveLength(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ deleted: records.length, out: file });
    } finally {
      disk.cleanup();
    }
  });

  it('move --to: every message is in the file (whole lines) or still in the source, as the summary says', async () => {
    const disk = mountTmpfs(200);
    if (typeof disk === 'string') throw new Error(disk);
    try {
      const name = 'ho-full-move';
      await queueOf(name);
      const file = join(disk.dir, 'm.ndjson');
      const r = await cli.run(['move', '--from', name, '--to', file, '--wait', '1', '--json']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/could not be moved \(cannot write .*m\.ndjson: the disk is full \(ENOSPC\)\)/);
      const result = parseJson<{ moved: number; left: { visible: number; inFlight: number } }>(r.stdout);
      const { records } = await afterwards(file, name);
      expect(records.length).toBe(result.moved);
      expect(result.left.visible + result.left.inFlight).toBe(SENT - result.moved);
    } finally {
      disk.cleanup();
    }
  });
});
