/**
 * The built CLI against a local AWS whose state folder is on a small tmpfs that fills up:
 * produce and process-sqs print summaries that add up and then one error line, exit non-zero,
 * and the daemon stays up; once space is freed the same commands succeed, with no restart.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, parseJson, type CliHome, type CliResult, type LocalStatusJson, type ProcessSqsJson } from '../helpers/cli.js';
import { fillDisk, mountTmpfs, tmpfsAvailable, type Tmpfs } from '../helpers/tmpfs.js';

const run = tmpfsAvailable('full disk under the local AWS (CLI)');

interface ProduceJson {
  total: number;
  sent: number;
  failed: { code: string; reason: string }[];
  unconfirmed: { code: string; reason: string }[];
}

describe.runIf(run)('the CLI when the local AWS state folder fills up', () => {
  let disk: Tmpfs;
  let cli: CliHome;
  let env: NodeJS.ProcessEnv;
  let home: string;
  let filler: string;
  const sqsops = (args: string[]): Promise<CliResult> => cli.run(args, { env });
  const daemonPid = () => (JSON.parse(readFileSync(join(home, 'local', 'server.json'), 'utf8')) as { pid: number }).pid;
  const depth = async (queue: string) => {
    const status = await sqsops(['local', 'status', '--json']);
    expect(status.code).toBe(0);
    const q = parseJson<LocalStatusJson>(status.stdout).queues.find((x) => x.name === queue);
    return (q?.visible ?? 0) + (q?.inFlight ?? 0);
  };
  /** The last stderr line is the error, alone: no stack trace after it. */
  const errorLine = (r: CliResult) =>
    r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('error: '));

  beforeAll(async () => {
    const mounted = mountTmpfs(32 * 1024);
    if (typeof mounted === 'string') throw new Error(mounted);
    disk = mounted;
    cli = newHome();
    home = join(disk.dir, 'home');
    mkdirSync(home, { mode: 0o700 });
    env = { SQSOPS_HOME: home };
    expect((await sqsops(['setup', '--queue', 'df'])).code).toBe(0);
    expect((await sqsops(['produce', '--queue', 'df', '--count', '40'])).code).toBe(0);
    // One receive before the DLQ: the second receive moves the message, a write the full disk refuses.
    expect((await sqsops(['setup', '--queue', 'dfm', '--max-receive-count', '1'])).code).toBe(0);
    expect((await sqsops(['produce', '--queue', 'dfm', '--count', '10'])).code).toBe(0);
  });
  afterAll(async () => {
    await cli?.run(['local', 'stop'], { env });
    await cli?.cleanup();
    disk?.cleanup();
  });

  it('produce on the full disk: a summary that adds up, then one error line; the daemon stays up', async () => {
    const pid = daemonPid();
    filler = fillDisk(disk.dir);
    const before = await depth('df');
    const r = await sqsops(['produce', '--queue', 'df', '--count', '600', '--json']);
    expect(r.code).toBe(1);
    const out = parseJson<ProduceJson>(r.stdout);
    // A server's 503 is not a promise that nothing was stored, so those entries are unconfirmed, not failed.
    const notSent = [...out.failed, ...out.unconfirmed];
    expect(notSent.length).toBeGreaterThan(0);
    expect(out.sent + notSent.length).toBe(600);
    expect(notSent.map((f) => f.reason).join('\n')).toMatch(/No space left on device under the local AWS's state folder/);
    expect(errorLine(r)).toHaveLength(1);
    expect(errorLine(r)[0]).toMatch(/^error: \d+ of 600 messages (were not sent|are unconfirmed)/);
    // What it called sent is there; of the unconfirmed, the local AWS stored none (it says so in the 503).
    expect(await depth('df')).toBe(before + out.sent);
    expect(daemonPid()).toBe(pid);
  });

  it('process-sqs --sink s3 on the full disk: the summary adds up, then one error line; the daemon stays up', async () => {
    const pid = daemonPid();
    const r = await sqsops(['process-sqs', '--queue', 'df', '--sink', 's3', '--drain', '--wait', '1', '--json']);
    expect(r.code).not.toBe(0);
    const out = parseJson<ProcessSqsJson>(r.stdout);
    expect(out.identityHolds).toBe(true);
    expect(out.metrics.MessagesSaved).toBe(0);
    expect(out.metrics.MessagesReceived).toBeGreaterThan(0);
    const errors = errorLine(r);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/no space left/i);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(daemonPid()).toBe(pid);
  });

  it('process-sqs stopped mid-run by the local AWS: the summary first, then the one error line', async () => {
    const pid = daemonPid();
    const r = await sqsops(['process-sqs', '--queue', 'dfm', '--sink', 's3', '--drain', '--wait', '1']);
    // Stopped by the local AWS (exit 5), or every message retried because the ledger could not record it (exit 1).
    expect([1, 5], r.stderr).toContain(r.code);
    const summary = r.stderr.match(
      /^received (\d+) = saved (\d+) \+ duplicates (\d+) \+ invalid (\d+) \+ retried (\d+) \+ deferred (\d+)$/m,
    );
    expect(summary, r.stderr).not.toBeNull();
    const [received, ...outcomes] = summary!.slice(1).map(Number);
    expect(received).toBeGreaterThanOrEqual(10);
    expect(outcomes.reduce((a, b) => a + b, 0)).toBe(received);
    expect(r.stdout).toMatch(/MessagesReceived/); // the table, on stdout
    expect(errorLine(r)).toHaveLength(1);
    expect(errorLine(r)[0]).toMatch(/no space left/i);
    expect(r.stderr.indexOf('error: ')).toBeGreaterThan(r.stderr.indexOf('received '));
    // Nothing lost: the move to the DLQ that failed left each message on its queue.
    expect((await depth('dfm')) + (await depth('dfm-dlq'))).toBe(10);
    expect(daemonPid()).toBe(pid);
  });

  it('once space is freed, the same commands succeed with the same daemon', async () => {
    const pid = daemonPid();
    rmSync(filler);
    const p = await sqsops(['produce', '--queue', 'df', '--count', '20', '--json']);
    expect(p.code).toBe(0);
    expect(parseJson<ProduceJson>(p.stdout)).toMatchObject({ sent: 20, failed: [] });
    const r = await sqsops(['process-sqs', '--queue', 'df', '--sink', 's3', '--drain', '--wait', '1', '--json']);
    expect(r.code).toBe(0);
    const out = parseJson<ProcessSqsJson>(r.stdout);
    expect(out.identityHolds).toBe(true);
    expect(out.metrics.MessagesSaved).toBeGreaterThanOrEqual(20);
    expect(daemonPid()).toBe(pid);
  });
});
