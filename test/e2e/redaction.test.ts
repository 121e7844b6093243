/**
 * No secret in any output, whatever the string looks like: every shape of test/helpers/secretShapes
 * through the built CLI's error line and --debug stack, the per-message action log in json and
 * text, and the --json summary; a secret known only from the environment included.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, ROOT, type CliHome } from '../helpers/cli.js';
import { SECRET_SHAPES } from '../helpers/secretShapes.js';

let cli: CliHome;
beforeAll(() => {
  cli = newHome();
});
afterAll(async () => cli.cleanup());

const throwText = join(ROOT, 'test/fixtures/throwText.mjs');
/** Known only as the password of SQSOPS_MONGODB_URL: masked because it was registered at start, not by its shape. */
const ENV_ONLY = { name: 'a password known from the environment', text: 'login failed for EnvOnlyPw-zz26', secret: 'EnvOnlyPw-zz26' };
const env = { SQSOPS_MONGODB_URL: `mongodb://app:${ENV_ONLY.secret}@db1,db2/app?replicaSet=rs0` };

function expectNoSecret(output: string) {
  for (const s of [...SECRET_SHAPES, ENV_ONLY]) expect(output, s.name).not.toContain(s.secret);
}

describe('no secret in any output', () => {
  it('the error line and the --debug stack of a bad connection string', async () => {
    for (let i = 0; i < SECRET_SHAPES.length; i += 5) {
      await Promise.all(
        SECRET_SHAPES.slice(i, i + 5).map(async (s) => {
          // "x " first: every shape is then refused as a MongoDB URL, and echoed in the error.
          const url = `x ${s.text}`;
          const args = ['process-sqs', '--queue', 'redact-none', '--no-ledger', '--sink', 'mongodb', '--mongodb-url', url, '--debug'];
          const r = await cli.run(args);
          expect(r.code, s.name).toBe(2);
          expect(r.stderr).toMatch(/error: mongodb|is not a MongoDB URL/);
          expect(r.stderr).toMatch(/\n\s+at /); // the --debug stack is there
          expect(r.stdout + r.stderr, s.name).not.toContain(s.secret);
        }),
      );
    }
  });

  it.each(['json', 'text'])('the per-message errors of --log-format %s and the --json summary', async (format) => {
    const queue = `redact-${format}`;
    const file = join(cli.home, `${queue}.ndjson`);
    const shapes = [...SECRET_SHAPES, ENV_ONLY];
    writeFileSync(file, shapes.map((s, i) => JSON.stringify({ orderId: `r${i}`, text: s.text })).join('\n'));
    expect((await cli.run(['produce', '--queue', queue, '--from-file', file])).code).toBe(0);
    const r = await cli.run(
      ['process-sqs', '--queue', queue, '--key', 'orderId', '--no-ledger', '--handler', throwText, '--drain', '--wait', '0'].concat([
        '--log-format',
        format,
        '--json',
      ]),
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    // Each message failed in the handler and went to the DLQ: one store error line per message, each redacted.
    expect(JSON.parse(r.stdout).metrics.MessagesToDLQ).toBe(shapes.length);
    expect(r.stderr.split('\n').filter((l) => l.includes('cannot store'))).toHaveLength(shapes.length * 2);
    expectNoSecret(r.stdout + r.stderr);
  });

  it('prints what docs/security.md shows', async () => {
    const security = readFileSync(join(ROOT, 'docs/security.md'), 'utf8');
    const [, command, shown] = /```text\n\$ sqsops (.*)\n([\s\S]*?)```/.exec(security)!;
    const args = command!.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ''));
    const r = await cli.run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(shown!.trim());
    expect(r.stderr).not.toContain('S3cret');
  });
});
