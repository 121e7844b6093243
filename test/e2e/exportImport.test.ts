/**
 * Export and import as a user runs them: queue -> `consume --out` -> file ->
 * `produce --from-file` -> another queue gives the same messages (body byte for byte,
 * String/Number/Binary attributes, FIFO group and dedup id), on standard and FIFO queues.
 * Appending to a file cut off mid-line, and a file that mixes records with plain bodies.
 */
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localSqsForFile, parseJson, type LocalStatusJson } from '../helpers/cli.js';
import { drainAll, essence, seed, urlOf } from '../helpers/messages.js';

const { cli, sqs } = localSqsForFile();

const sortKey = (e: Record<string, unknown>) => String(e.body);

describe.each([
  ['standard', false],
  ['FIFO', true],
])('export and import on a %s queue', (_kind, fifo) => {
  it('comes back identical: queue -> consume --out -> produce --from-file -> queue', async () => {
    const sfx = fifo ? '.fifo' : '';
    const [from, to] = [`rt-src${sfx}`, `rt-dst${sfx}`];
    expect((await cli.run(['setup', '--queue', from, to, '--no-dlq'])).code).toBe(0);
    await seed(sqs, await urlOf(sqs, from), fifo, 23);
    const file = join(cli.home, `rt${sfx}.ndjson`);
    const c = await cli.run(['consume', '--queue', from, '--count', '100', '--wait', '1', '--out', file, '--json']);
    expect(c.code).toBe(0);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(23);
    expect(lines[0]).toMatchObject({ format: 'sqsops.message/1', receiveCount: 1 });
    expect(lines[0]!.sentAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const p = await cli.run(['produce', '--queue', to, '--from-file', file, '--json']);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ total: 23, sent: 23, failed: [] });
    const expected = lines.map((l) => ({ ...l }));
    const got = (await drainAll(sqs, await urlOf(sqs, to))).map(essence).sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    expect(got).toHaveLength(23);
    const want = expected
      .map((l) => ({
        body: l.body,
        attrs: Object.fromEntries(
          Object.entries(l.attributes as Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, { t: v.DataType, s: v.StringValue, b: v.BinaryValue }]),
        ),
        group: l.groupId,
        dedup: l.deduplicationId,
      }))
      .sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    expect(got).toEqual(want);
    if (fifo) expect(new Set(got.map((g) => g.group))).toEqual(new Set(['g0', 'g1', 'g2', 'g3']));
  });
});

describe('appending to an export file', () => {
  it.each([
    ['move --to', (q: string, f: string) => ['move', '--from', q, '--to', f, '--wait', '1']],
    ['consume --out', (q: string, f: string) => ['consume', '--queue', q, '--count', '3', '--wait', '1', '--out', f]],
  ])('%s starts a new line after a last line with no newline, and the file imports', async (name, args) => {
    const q = `nonl-${name.split(' ')[0]}`;
    expect((await cli.run(['setup', '--queue', q, `${q}-imp`, '--no-dlq'])).code).toBe(0);
    await seed(sqs, await urlOf(sqs, q), false, 3);
    const file = join(cli.home, `${q}.ndjson`);
    writeFileSync(file, '{"format":"sqsops.message/1","messageId":"m0","body":"hello"}');
    const r = await cli.run(args(q, file));
    expect(r.code, r.stderr).toBe(0);
    expect(
      readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l && JSON.parse(l)),
    ).toHaveLength(5);
    const p = await cli.run(['produce', '--queue', `${q}-imp`, '--from-file', file, '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ total: 4, sent: 4 });
    expect((await drainAll(sqs, await urlOf(sqs, `${q}-imp`))).map((m) => m.Body)).toContain('hello');
  });
});

describe('importing a file that mixes records and plain bodies', () => {
  it.each([
    [
      'a record after a plain body',
      '{"format":"sqsops.message/1","messageId":"m1","body":"x"}',
      /:2: a sqsops.message record in a file of plain bodies/,
    ],
    [
      'a record of an unknown version',
      '{"format":"sqsops.message/2","messageId":"m1","body":"x"}',
      /:2: format "sqsops.message\/2" is not supported; this sqsops reads sqsops.message\/1/,
    ],
  ])('refuses %s in one line, naming it, and sends nothing', async (_what, second, message) => {
    const q = 'mixed-imp';
    expect((await cli.run(['setup', '--queue', q, '--no-dlq'])).code).toBe(0);
    const file = join(cli.home, 'mixed.ndjson');
    writeFileSync(file, `{"orderId":1}\n${second}\n`);
    const r = await cli.run(['produce', '--queue', q, '--from-file', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await drainAll(sqs, await urlOf(sqs, q))).toEqual([]);
  });
});

describe('exporting to a stdout whose reader goes away', () => {
  it('stops with exit 1, says how many were exported and deleted, and deletes nothing it could not write', async () => {
    expect((await cli.run(['setup', '--queue', 'pipe-out', '--no-dlq'])).code).toBe(0);
    expect((await cli.run(['produce', '--queue', 'pipe-out', '--count', '60'])).code).toBe(0);
    const child = cli.spawn(['consume', '--queue', 'pipe-out', '--count', '60', '--wait', '1', '--out', '-']);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    // As `| head -1`: the reader takes its first chunk and closes the pipe.
    child.stdout?.once('data', () => child.stdout?.destroy());
    const [code] = await once(child, 'close');
    expect(code).toBe(1);
    const said = /^error: stdout was closed by its reader: (\d+) handed over and deleted, (\d+) released; pipe-out holds (\d+)/m.exec(
      stderr,
    );
    expect(said, stderr).not.toBeNull();
    expect(stderr).not.toMatch(/\n\s+at /);
    const status = parseJson<LocalStatusJson>((await cli.run(['local', 'status', '--json'])).stdout);
    const queue = status.queues.find((q) => q.name === 'pipe-out');
    expect(queue!.visible + queue!.inFlight).toBe(60 - Number(said![1]));
  });
});
