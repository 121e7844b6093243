/**
 * The built CLI as a user runs it: processes, exit codes, stdout/stderr, a state dir
 * of its own. Includes the two-terminal case and a restart between produce and consume.
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, parseJson, type CliHome, type LocalStatusJson } from '../helpers/cli.js';
import type { ConsumeResult } from '../../src/features/consume/consume.js';
import type { ShowResult } from '../../src/features/ledger/ledgerOps.js';
import type { ProduceResult } from '../../src/features/produce/produce.js';
import type { SetupStep } from '../../src/pipeline/converge.js';

let cli: CliHome;
beforeAll(() => {
  cli = newHome();
});
afterAll(async () => cli.cleanup());

describe('sqsops on the embedded local AWS', () => {
  it('runs the quick start: produce, consume, show', async () => {
    const p = await cli.run(['produce', '--count', '20']);
    expect(p.code).toBe(0);
    expect(p.stderr).toMatch(/^target: local AWS at http:\/\/127\.0\.0\.1:\d+ \(state .*\), started now$/m);
    expect(p.stderr).toMatch(/created queue sqsops-events with DLQ sqsops-events-dlq/);
    expect(p.stdout).toMatch(/sent\s+│\s+20/);
    const c = await cli.run(['consume', '--count', '5', '--wait', '1']);
    expect(c.code).toBe(0);
    // 120 columns (no terminal) cannot hold the message table: one record a message.
    expect(c.stdout.match(/^status: +recorded$/gm)).toHaveLength(5);
    const s = await cli.run(['--json', 'show']);
    expect(s.code).toBe(0);
    expect(parseJson(s.stdout)).toMatchObject({ total: 5, counts: { COMPLETED: 5 } });
  });

  it('peeks without taking, and reports JSON on stdout only', async () => {
    const before = parseJson<LocalStatusJson>((await cli.run(['local', 'status', '--json'])).stdout);
    const depth = before.queues.find((q) => q.name === 'sqsops-events')!.visible;
    const r = await cli.run(['consume', '--count', '3', '--peek', '--json', '--wait', '0']);
    expect(r.code).toBe(0);
    expect(parseJson(r.stdout)).toMatchObject({ peek: true, recorded: 0, deleted: 0 });
    const after = parseJson<LocalStatusJson>((await cli.run(['local', 'status', '--json'])).stdout);
    expect(after.queues.find((q) => q.name === 'sqsops-events')!.visible).toBe(depth);
  });

  it('runs a producer and a consumer at the same time without losing a message', async () => {
    // A ledger table other than the default is made by setup: from the CLI a typo creates nothing.
    expect((await cli.run(['setup', '--table', 'tt-ledger'])).code).toBe(0);
    const producer = cli.run(['produce', '--queue', 'two-terminals', '--count', '300', '--concurrency', '4']);
    const consumer = cli.run(
      ['consume', '--queue', 'two-terminals', '--count', '300', '--wait', '3', '--json', '--table', 'tt-ledger'],
      {},
    );
    const [p, c] = await Promise.all([producer, consumer]);
    expect(p.code).toBe(0);
    // The consumer may start before the producer created the queue: then it says so and we consume the rest.
    let taken = c.code === 0 ? parseJson<ConsumeResult>(c.stdout).recorded : 0;
    if (c.code !== 0) expect(c.stderr).toMatch(/queue "two-terminals" does not exist/);
    const rest = await cli.run(['consume', '--queue', 'two-terminals', '--count', '300', '--wait', '1', '--json', '--table', 'tt-ledger']);
    taken += parseJson<ConsumeResult>(rest.stdout).recorded;
    expect(taken).toBe(300);
    const shown = parseJson<ShowResult>((await cli.run(['show', '--json', '--table', 'tt-ledger', '--count'])).stdout);
    expect(shown.count).toBe(300);
  });

  it('keeps messages across a restart of the local AWS between produce and consume', async () => {
    expect((await cli.run(['produce', '--queue', 'restart', '--count', '12'])).code).toBe(0);
    const stop = await cli.run(['local', 'stop']);
    expect(stop.stdout).toMatch(/^stopped \(pid \d+\); state kept in /);
    expect((await cli.run(['local', 'status'])).stdout).toMatch(/^not running/);
    const c = await cli.run(['consume', '--queue', 'restart', '--count', '50', '--wait', '1', '--json']);
    expect(c.stderr).toMatch(/started now/);
    expect(parseJson<ConsumeResult>(c.stdout).recorded).toBe(12);
  });

  it('sends a file of bodies and names the line of a malformed one, sending nothing', async () => {
    const good = join(cli.home, 'good.ndjson');
    writeFileSync(good, '{"orderId":"a"}\n{"orderId":"b"}\n');
    const r = await cli.run(['produce', '--queue', 'from-file', '--from-file', good, '--json']);
    expect(r.code).toBe(0);
    expect(parseJson(r.stdout)).toMatchObject({ sent: 2, failed: [] });
    const bad = join(cli.home, 'bad.ndjson');
    writeFileSync(bad, '{"orderId":"a"}\n{"orderId":\n');
    const b = await cli.run(['produce', '--queue', 'from-file-bad', '--from-file', bad]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^error: .*bad\.ndjson:2: malformed JSON line/m);
    expect(b.stderr).not.toMatch(/\n\s+at /);
    const stdin = await cli.run(['produce', '--queue', 'from-stdin', '--from-file', '-', '--json'], { input: '["x","y","z"]' });
    expect(parseJson<ProduceResult>(stdin.stdout).sent).toBe(3);
  });

  it('refuses a file with an entry SQS would refuse, naming its line, and sends nothing (exit 2)', async () => {
    const f = join(cli.home, 'refused.ndjson');
    writeFileSync(f, '{"ok":1}\n"bad\\u0000"\n');
    const r = await cli.run(['produce', '--queue', 'refused', '--from-file', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: .*refused\.ndjson:2: body has the control character U\+0000 at character 4/m);
  });

  it('clears the ledger', async () => {
    const r = await cli.run(['clear', '--table', 'tt-ledger']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^deleted 300 records from tt-ledger/);
  });

  it('sets up a topology from a JSON file, and plans it on a dry run', async () => {
    const f = join(cli.home, 'topology.json');
    writeFileSync(
      f,
      JSON.stringify({
        queues: [{ name: 'orders.fifo', contentBasedDeduplication: true, maxReceiveCount: 3 }],
        ledgerTable: 'orders-ledger',
      }),
    );
    const plan = await cli.run(['setup', '--config', f, '--dry-run', '--json']);
    expect(parseJson<{ steps: SetupStep[] }>(plan.stdout).steps.map((s) => s.action)).toEqual(['create', 'create', 'create']);
    const done = await cli.run(['setup', '--config', f, '--json']);
    expect(done.code).toBe(0);
    const again = await cli.run(['setup', '--config', f, '--json']);
    expect(parseJson<{ steps: SetupStep[] }>(again.stdout).steps.every((s) => s.action === 'unchanged')).toBe(true);
    const fifo = await cli.run(['produce', '--queue', 'orders.fifo', '--count', '5', '--group-by', 'customerId', '--json']);
    expect(parseJson(fifo.stdout)).toMatchObject({ sent: 5, fifo: true });
  });
});

describe('bad input gets one clear line and a non-zero exit', () => {
  it.each([
    [['produce', '--count', 'ten'], 2, /^error: --count must be a whole number from 1 to 10000000, not "ten"$/m],
    [['produce', '--duplicates', '2'], 2, /^error: --duplicates must be a ratio from 0 to 1/m],
    [['produce', '--from-file', '/nonexistent/x.json'], 2, /^error: cannot read \/nonexistent\/x\.json \(ENOENT\)$/m],
    [['consume', '--queue', 'no-such-queue'], 3, /^error: queue "no-such-queue" does not exist$/m],
    [['consume', '--key', '{orderId'], 2, /^error: --key template "\{orderId" is malformed$/m],
    [['setup', '--queue', 'bad name!'], 2, /^error: "bad name!" is not a valid queue name$/m],
    [['setup', '--config', '/nonexistent.json'], 2, /^error: cannot read \/nonexistent\.json/m],
    [['--region', 'Mars', 'show'], 2, /^error: "Mars" is not an AWS region$/m],
    [['produce', '--bogus'], 2, /^error: unknown option '--bogus'$/m],
  ])('sqsops %j exits %i', async (args, code, message) => {
    const r = await cli.run(args);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('says the local port is busy', async () => {
    const other = newHome();
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await other.run(['show'], { env: { SQSOPS_LOCAL_PORT: String(port) } });
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(
        new RegExp(`^error: port ${port} on 127\\.0\\.0\\.1 is already in use by another program\\nhint: set SQSOPS_LOCAL_PORT`, 'm'),
      );
    } finally {
      blocker.close();
      await other.cleanup();
    }
  });

  it('says an endpoint cannot be reached', async () => {
    const r = await cli.run(['--endpoint-url', 'http://127.0.0.1:1', 'consume'], {
      env: { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1' },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: cannot reach SQS at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)$/m);
  });
});

describe('against an AWS endpoint (our emulator standing in for real AWS)', () => {
  const awsEnv = async () => {
    // The local AWS's own credentials, as `local env` gives them to other tools.
    const local = parseJson<Record<string, string>>((await cli.run(['local', 'env', '--json'])).stdout);
    return { ...local, AWS_REGION: 'eu-west-1' } as Record<string, string>;
  };

  it('names sqsops setup for a missing resource instead of creating it', async () => {
    const env = await awsEnv();
    const r = await cli.run(['show', '--table', 'not-there'], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^target: AWS region eu-west-1, endpoint http:\/\/127\.0\.0\.1:\d+ \(chosen by AWS_ENDPOINT_URL\)$/m);
    expect(r.stderr).toMatch(/^error: ledger table "not-there" does not exist\nhint: create it with `sqsops setup --table not-there`$/m);
    const p = await cli.run(['produce', '--queue', 'aws-missing'], { env });
    expect(p.code).toBe(3);
    expect(p.stderr).toMatch(/sqsops setup --queue aws-missing/);
    expect(p.stderr + p.stdout).not.toContain(env.AWS_SECRET_ACCESS_KEY);
  });

  it('refuses to clear the ledger without --yes when it cannot ask', async () => {
    const env = await awsEnv();
    expect((await cli.run(['setup', '--queue', 'aws-q', '--table', 'aws-ledger', '--bucket', 'aws-bucket'], { env })).code).toBe(0);
    const r = await cli.run(['clear', '--table', 'aws-ledger'], { env });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^error: refusing to clear aws-ledger on real AWS without confirmation\nhint: pass --yes to confirm$/m);
    const y = await cli.run(['clear', '--table', 'aws-ledger', '--yes'], { env });
    expect(y.code).toBe(0);
  });
});
