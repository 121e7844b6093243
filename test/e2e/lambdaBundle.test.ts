/**
 * dist/lambda.js is the whole deployment: copied alone into an empty folder (no
 * node_modules, as in a Lambda zip), it loads and processes an SQS event against the
 * embedded local AWS standing in for real AWS.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, ROOT, type CliHome } from '../helpers/cli.js';

let cli: CliHome;
let dir: string;
beforeAll(() => {
  cli = newHome();
  dir = mkdtempSync(join(tmpdir(), 'sqsops-lambda-'));
});
afterAll(async () => {
  await cli.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('the bundled Lambda handler', () => {
  it('runs from a folder holding nothing but dist/lambda.js', async () => {
    copyFileSync(join(ROOT, 'dist/lambda.js'), join(dir, 'lambda.mjs'));
    const local = JSON.parse((await cli.run(['local', 'env', '--json'])).stdout) as Record<string, string>;
    const endpoint = local.AWS_ENDPOINT_URL!;
    expect((await cli.run(['setup', '--queue', 'fn-queue', '--table', 'fn-ledger'])).code).toBe(0);
    const record = (id: string, body: string) => ({
      messageId: id,
      receiptHandle: `rh-${id}`,
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) },
      messageAttributes: {},
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:fn-queue',
    });
    const event = {
      Records: [record('m1', JSON.stringify({ orderId: 'X1' })), record('m2', 'not json'), record('m3', JSON.stringify({ orderId: 'X1' }))],
    };
    writeFileSync(
      join(dir, 'invoke.mjs'),
      `import { handler } from './lambda.mjs';\nconst out = await handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 60000 });\nconsole.log('RESULT ' + JSON.stringify(out));\n`,
    );
    const r = spawnSync(process.execPath, ['invoke.mjs'], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: local.AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: local.AWS_SECRET_ACCESS_KEY,
        AWS_REGION: 'us-east-1',
        SQSOPS_LEDGER_TABLE: 'fn-ledger',
        SQSOPS_KEY: 'orderId',
      },
    });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(
      r.stdout
        .split('\n')
        .find((l) => l.startsWith('RESULT '))!
        .slice(7),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    const emf = r.stdout.split('\n').find((l) => l.includes('"_aws"'));
    expect(JSON.parse(emf!)).toMatchObject({ Queue: 'fn-queue', MessagesReceived: 3, MessagesSaved: 1, DuplicateMessages: 1 });
    expect(JSON.parse(emf!)).toMatchObject({ InvalidMessages: 1 });
    expect(JSON.parse(emf!)).toMatchObject({ MessagesRetried: 0, MessagesDeferred: 0 });
    const logs = r.stdout
      .split('\n')
      .filter((l) => l.includes('"trace_id"'))
      .map((l) => JSON.parse(l));
    expect(logs.map((l) => `${l.action}:${l.status}`)).toEqual(expect.arrayContaining(['validate:error', 'store:ok']));
  });
});
