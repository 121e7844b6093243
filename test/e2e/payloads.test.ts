/** Large payloads as a user runs them: a 5 MiB body from a file through S3 and back, and the refusals. */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, type CliHome } from '../helpers/cli.js';

let cli: CliHome;
beforeAll(() => {
  cli = newHome();
});
afterAll(async () => cli.cleanup());

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('large payloads from the command line', () => {
  it('sends a 5 MiB body through S3 and consume gives it back byte for byte', async () => {
    const body = JSON.stringify({ orderId: 'big-1', pad: 'é'.repeat(2_700_000) });
    const file = join(cli.home, 'big.ndjson');
    writeFileSync(file, `${JSON.stringify(body)}\n`);
    const p = await cli.run(['produce', '--queue', 'big-cli', '--from-file', file, '--json'], {
      env: { SQSOPS_LARGE_PAYLOAD_BUCKET: 'big-cli-bucket' },
    });
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ sent: 1, failed: [] });
    const c = await cli.run(['consume', '--queue', 'big-cli', '--count', '1', '--wait', '1', '--json']);
    expect(c.code, c.stderr).toBe(0);
    const got = JSON.parse(c.stdout) as { messages: { body: string; status: string }[] };
    expect(got.messages.map((m) => [m.status, sha(m.body)])).toEqual([['recorded', sha(body)]]);
  });

  it('refuses a body over 1 MiB without a bucket, and a threshold over the SQS limit, with one line', async () => {
    const file = join(cli.home, 'too-big.ndjson');
    writeFileSync(file, `${JSON.stringify('x'.repeat(1_100_000))}\n`);
    const r = await cli.run(['produce', '--queue', 'big-cli', '--from-file', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: .*too-big\.ndjson:1: body is 1100000 bytes, over SQS's 1 MiB limit\nhint: pass --large-payload-bucket BUCKET/m,
    );
    const t = await cli.run(['produce', '--large-payload-threshold', '2000000']);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/^error: --large-payload-threshold must be a whole number from 1 to 1048576, not "2000000"$/m);
  });
});
