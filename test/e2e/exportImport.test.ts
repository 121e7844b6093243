/**
 * Export and import as a user runs them: queue -> `consume --out` -> file ->
 * `produce --from-file` -> another queue gives the same messages (body byte for byte,
 * String/Number/Binary attributes, FIFO group and dedup id), on standard and FIFO queues.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, startedLocalSqs, type CliHome } from '../helpers/cli.js';
import { drainAll, essence, seed, urlOf } from '../helpers/messages.js';

let cli: CliHome;
let sqs: SQSClient;
beforeAll(async () => {
  cli = newHome();
  sqs = await startedLocalSqs(cli);
});
afterAll(async () => {
  sqs.destroy();
  await cli.cleanup();
});

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
