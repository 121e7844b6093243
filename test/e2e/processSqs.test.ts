/**
 * process-sqs as a process: the quick start flow, kill -9 mid-batch then a rerun
 * (every message exactly once in the sink), and SIGTERM (drains cleanly).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { newHome, parseJson, ROOT, type CliHome, type ProcessSqsJson, type LocalStatusJson } from '../helpers/cli.js';
import type { ShowResult } from '../../src/features/ledger/ledgerOps.js';
import type { ProduceResult } from '../../src/features/produce/produce.js';
import { createClients } from '../../src/aws/clients.js';

let cli: CliHome;
beforeAll(() => {
  cli = newHome();
});
afterAll(async () => cli.cleanup());

const slow = join(ROOT, 'test/fixtures/slow.mjs');

async function waitForLines(child: ReturnType<CliHome['spawn']>, pattern: RegExp, n: number): Promise<void> {
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      seen += d
        .toString()
        .split('\n')
        .filter((l) => pattern.test(l)).length;
      if (seen >= n) resolve();
    });
    child.on('exit', () => reject(new Error(`exited after ${seen} lines`)));
  });
}

async function depth(queue: string): Promise<{ visible: number; inFlight: number }> {
  const status = parseJson<LocalStatusJson>((await cli.run(['local', 'status', '--json'])).stdout);
  const q = status.queues.find((x) => x.name === queue)!;
  return { visible: q.visible, inFlight: q.inFlight };
}

describe('sqsops process-sqs', () => {
  it('runs the Quick start: the poison produce injected is what process-sqs counts invalid and the DLQ holds', async () => {
    const p = await cli.run(['produce', '--count', '100', '--duplicates', '0.1', '--invalid', '0.05', '--json']);
    expect(p.code).toBe(0);
    const injected = parseJson<ProduceResult>(p.stdout).injected.invalid;
    const r = await cli.run(['process-sqs', '--key', 'orderId', '--drain', '--wait', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = parseJson<ProcessSqsJson>(r.stdout);
    const m = out.metrics;
    expect(m.InvalidMessages).toBe(injected);
    expect(m.MessagesToDLQ).toBe(injected);
    expect(await depth('sqsops-events-dlq')).toEqual({ visible: injected, inFlight: 0 });
    // A key held by another poller of the run comes back a moment later (deferred), then is a duplicate.
    expect(m.MessagesDeleted).toBe(100);
    expect(m.MessagesSaved + m.DuplicateMessages + m.InvalidMessages + m.MessagesDeferred).toBe(m.MessagesReceived);
    expect(m.MessagesRetried).toBe(0);
    expect(out.identityHolds).toBe(true);
    const line =
      `received ${m.MessagesReceived} = saved ${m.MessagesSaved} + duplicates ${m.DuplicateMessages} + invalid ${m.InvalidMessages}` +
      ` + retried 0 + deferred ${m.MessagesDeferred}`;
    expect(out.identity).toBe(line);
    expect(r.stderr).toContain(line);
    expect(r.stderr).toMatch(/^schema: template schemas \(order@1\) for marked events$/m);
    const shown = parseJson<ShowResult>((await cli.run(['show', '--count', '--status', 'COMPLETED', '--json'])).stdout);
    expect(shown.count).toBe(m.MessagesSaved);
  });

  it('leaves every message exactly once in the sink after kill -9 mid-batch and a rerun', async () => {
    expect(
      (await cli.run(['setup', '--queue', 'crashy', '--visibility-timeout', '3', '--table', 'crash-ledger', '--bucket', 'crash-bucket']))
        .code,
    ).toBe(0);
    expect((await cli.run(['produce', '--queue', 'crashy', '--count', '200'])).code).toBe(0);
    const args = [
      'process-sqs',
      '--queue',
      'crashy',
      '--key',
      'orderId',
      '--table',
      'crash-ledger',
      '--sink',
      's3',
      '--bucket',
      'crash-bucket',
      '--handler',
      slow,
      '--concurrency',
      '2',
    ];
    const victim = cli.spawn([...args, '--log-format', 'json']);
    await waitForLines(victim, /"action":"store","status":"ok"/, 30);
    victim.kill('SIGKILL');
    await new Promise((r) => victim.on('exit', r));
    const rerun = await cli.run([...args, '--drain', '--wait', '5', '--json']);
    expect(rerun.code).toBe(0);
    const ledger = parseJson<ShowResult>((await cli.run(['show', '--json', '--table', 'crash-ledger', '--limit', '1000'])).stdout);
    expect(ledger.counts).toEqual({ COMPLETED: 200 });
    expect(new Set(ledger.items.map((i) => i.id)).size).toBe(200);
    const local = parseJson<Record<string, string>>((await cli.run(['local', 'env', '--json'])).stdout);
    const credentials = { accessKeyId: local.AWS_ACCESS_KEY_ID!, secretAccessKey: local.AWS_SECRET_ACCESS_KEY! };
    const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: local.AWS_ENDPOINT_URL!, credentials });
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await (await clients.s3()).send(new ListObjectsV2Command({ Bucket: 'crash-bucket', ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    clients.destroy();
    expect(keys).toHaveLength(200);
    expect(new Set(keys.map((k) => k.split('/').pop())).size).toBe(200);
    expect(await depth('crashy')).toEqual({ visible: 0, inFlight: 0 });
    expect(await depth('crashy-dlq')).toEqual({ visible: 0, inFlight: 0 });
  });

  it('stops receiving on SIGTERM, finishes what is in flight, prints the summary and exits 0', async () => {
    expect((await cli.run(['produce', '--queue', 'termed', '--count', '300'])).code).toBe(0);
    // A ledger table other than the default is made by setup: from the CLI a typo creates nothing.
    expect((await cli.run(['setup', '--table', 'term-ledger'])).code).toBe(0);
    const child = cli.spawn(
      [
        'process-sqs',
        '--queue',
        'termed',
        '--table',
        'term-ledger',
        '--handler',
        slow,
        '--concurrency',
        '1',
        '--log-format',
        'json',
        '--json',
      ],
      { env: { SLOW_HANDLER_MS: '50' } },
    );
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    await waitForLines(child, /"action":"store","status":"ok"/, 10);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(0);
    const { metrics, identityHolds } = parseJson<ProcessSqsJson>(stdout);
    const saved = metrics.MessagesSaved;
    expect(identityHolds).toBe(true);
    expect(saved).toBeGreaterThan(0);
    expect(saved).toBeLessThan(300);
    expect(await depth('termed')).toEqual({ visible: 300 - saved, inFlight: 0 });
    const ledger = parseJson<ShowResult>(
      (await cli.run(['show', '--json', '--table', 'term-ledger', '--count', '--status', 'COMPLETED'])).stdout,
    );
    expect(ledger).toMatchObject({ count: saved });
  });

  it('with --drain, a SIGTERM that cuts the run short exits 143 after the summary (a worker without an end exits 0)', async () => {
    expect((await cli.run(['produce', '--queue', 'termed-drain', '--count', '200'])).code).toBe(0);
    const child = cli.spawn(
      ['process-sqs', '--queue', 'termed-drain', '--no-ledger', '--handler', slow, '--concurrency', '1', '--drain', '--json'],
      {
        env: { SLOW_HANDLER_MS: '50' },
      },
    );
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    await waitForLines(child, /./, 1);
    await new Promise((r) => setTimeout(r, 1_000));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(143);
    const { metrics, identityHolds } = parseJson<ProcessSqsJson>(stdout);
    expect(identityHolds).toBe(true);
    expect(metrics.MessagesSaved).toBeLessThan(200);
  });

  it('rejects a bad --sink and a missing schema with one line', async () => {
    const r = await cli.run(['process-sqs', '--sink', 'redis', '--drain']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --sink must be one of s3, mongodb, mssql, not "redis"$/m);
    const s = await cli.run(['process-sqs', '--schema', '/nonexistent.json', '--drain']);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/^error: cannot read \/nonexistent\.json \(ENOENT\)$/m);
    const m = await cli.run(['process-sqs', '--sink', 'mongodb', '--drain']);
    expect(m.stderr).toMatch(/^error: the mongodb sink needs a server\nhint: pass --mongodb-url or set SQSOPS_MONGODB_URL$/m);
  });
});
