/**
 * Bodies and attribute values with characters above U+FFFF (an emoji), which SQS accepts,
 * go round the local AWS with the built CLI unchanged: produce --from-file, consume,
 * export (consume --out), import (produce --from-file of the export) and move.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, parseJson, type CliHome } from '../helpers/cli.js';

interface ConsumeJson {
  messages: { body: string; attributes: Record<string, string> }[];
}

let cli: CliHome;
beforeAll(() => {
  cli = newHome();
});
afterAll(() => cli.cleanup());

const BODIES = ['hello \u{1F600}', 'snow \u2603 and a clef \u{1D11E}'];

describe('characters above U+FFFF through the CLI on the local AWS', () => {
  it('come back unchanged after produce, consume --out, import and move', async () => {
    expect((await cli.run(['setup', '--queue', 'uni-src', 'uni-dst', 'uni-end', '--no-dlq'])).code).toBe(0);
    const input = join(cli.home, 'bodies.json');
    writeFileSync(input, JSON.stringify(BODIES));
    const p = await cli.run(['produce', '--queue', 'uni-src', '--from-file', input, '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect(parseJson(p.stdout)).toMatchObject({ total: 2, sent: 2, failed: [] });

    const exported = join(cli.home, 'export.ndjson');
    const c = await cli.run(['consume', '--queue', 'uni-src', '--count', '2', '--wait', '1', '--out', exported, '--json']);
    expect(c.code, c.stderr).toBe(0);
    // With --out FILE the messages are in the file; stdout has the counts.
    expect(parseJson(c.stdout)).toMatchObject({ taken: 2, deleted: 2, out: exported });
    const lines = readFileSync(exported, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { body: string }).body).sort()).toEqual([...BODIES].sort());

    // An attribute value above U+FFFF too, in an export record written by hand.
    const record = {
      format: 'sqsops.message/1',
      body: 'with mood',
      attributes: { mood: { DataType: 'String', StringValue: '\u{1F600}' } },
    };
    writeFileSync(exported, `${readFileSync(exported, 'utf8')}${JSON.stringify(record)}\n`);
    const i = await cli.run(['produce', '--queue', 'uni-dst', '--from-file', exported, '--json']);
    expect(i.code, i.stderr).toBe(0);
    expect(parseJson(i.stdout)).toMatchObject({ total: 3, sent: 3, failed: [] });

    const m = await cli.run(['move', '--from', 'uni-dst', '--to', 'uni-end', '--max', '3']);
    expect(m.code, m.stderr).toBe(0);
    const end = await cli.run(['consume', '--queue', 'uni-end', '--count', '3', '--wait', '1', '--json']);
    expect(end.code, end.stderr).toBe(0);
    const got = parseJson<ConsumeJson>(end.stdout).messages;
    expect(got.map((x) => x.body).sort()).toEqual([...BODIES, 'with mood'].sort());
    expect(got.find((x) => x.body === 'with mood')?.attributes).toEqual({ mood: '\u{1F600}' });
  });
});
