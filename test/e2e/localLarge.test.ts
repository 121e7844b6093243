/**
 * A local AWS with a large stored state, through the built CLI: the command that starts it
 * says it is loading and waits, and `local status` says the same meanwhile, instead of
 * a timeout that killed the daemon (and every later start) as hung. Then the local AWS at
 * its other edges: settings it cannot start with, credentials replaced under it, a damaged
 * database.
 */
import { once } from 'node:events';
import { rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, parseJson, type CliHome } from '../helpers/cli.js';
import { storeCopies } from '../helpers/storedState.js';

let cli: CliHome;
beforeAll(async () => {
  cli = newHome();
  expect((await cli.run(['produce', '--queue', 'big', '--count', '1'])).code).toBe(0);
  expect((await cli.run(['local', 'stop'])).code).toBe(0);
  storeCopies(cli.home, 300_000);
});
afterAll(async () => cli.cleanup());

describe('a local AWS that loads 300,001 stored messages', () => {
  it('is waited for, said so on stderr and by local status, and answers with every message', async () => {
    const start = cli.run(['local', 'start']);
    let done = false;
    void start.finally(() => {
      done = true;
    });
    // `local status` while it loads (each call is a process of its own, as from another terminal).
    const seen: string[] = [];
    while (!done) seen.push((await cli.run(['local', 'status'])).stdout.trim());
    const started = await start;
    expect(started.code).toBe(0);
    expect(started.stderr).toMatch(
      /^the local AWS is loading 300,001 stored messages in 2 queues from disk; waiting for it \(up to \d+ s\)$/m,
    );
    expect(started.stdout).toMatch(/^started: http:\/\/127\.0\.0\.1:\d+ \(pid \d+, state /);
    expect(seen.some((l) => /^starting: daemon pid \d+ is loading 300,001 stored messages in 2 queues \(since \S+\)$/.test(l))).toBe(true);
    // Never "not answering ... the next command restarts it": it was busy, not hung.
    expect(seen.filter((l) => l.startsWith('not answering'))).toEqual([]);

    const status = parseJson<{ queues: { name: string; visible: number }[] }>((await cli.run(['local', 'status', '--json'])).stdout);
    expect(status.queues.find((q) => q.name === 'big')?.visible).toBe(300_001);
  });

  it('ends the wait at the first Ctrl-C, and the load goes on in the background', async () => {
    expect((await cli.run(['local', 'stop'])).code).toBe(0);
    storeCopies(cli.home, 300_000, 'more'); // 600,001 now: seconds of loading, long past the Ctrl-C
    const child = cli.spawn(['stats']);
    let stderr = '';
    let interrupted = false;
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!interrupted && stderr.includes('waiting for it')) interrupted = child.kill('SIGINT'); // once: a second one aborts at once
    });
    const [code] = await once(child, 'close');
    expect(code).toBe(130);
    expect(stderr).toMatch(/^error: interrupted; the local AWS goes on loading in the background\nhint: see `sqsops local status`$/m);
    expect((await cli.run(['local', 'status'])).stdout).toMatch(/^starting: daemon pid \d+ is loading 600,001 stored messages in 2 queues/);
  });
});

describe('the local AWS at its edges', () => {
  let edge: CliHome;
  beforeAll(() => {
    edge = newHome();
  });
  afterAll(async () => edge.cleanup());

  it('refuses a memory limit it cannot start with, and a port written in hex', async () => {
    const small = await edge.run(['stats'], { env: { SQSOPS_LOCAL_MEMORY_MB: '10' } });
    expect(small.code).toBe(2);
    expect(small.stderr).toBe(`error: SQSOPS_LOCAL_MEMORY_MB must be 0 (half the machine's memory) or at least 64, not "10"\n`);
    const hex = await edge.run(['stats'], { env: { SQSOPS_LOCAL_PORT: '0x50' } });
    expect(hex.code).toBe(2);
    expect(hex.stderr).toBe('error: SQSOPS_LOCAL_PORT must be a whole number from 0 to 65535, not "0x50"\n');
  });

  it('says the running local AWS keeps the credentials it started with, and how to move on', async () => {
    expect((await edge.run(['produce', '--queue', 'creds', '--count', '1'])).code).toBe(0);
    // As the old hint for a damaged credentials file said, while the daemon runs: the next command makes new ones.
    rmSync(join(edge.home, 'local', 'credentials.json'));
    const r = await edge.run(['stats', '--json']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      /^error: the local AWS rejected the credentials \(\w+\)\nhint: it still holds the credentials it started with .*: run `sqsops local stop`, then retry$/m,
    );
    expect((await edge.run(['local', 'stop'])).code).toBe(0);
    expect((await edge.run(['stats', '--json'])).code).toBe(0);
  });

  it('names a damaged fauxqs.db and the two ways out', async () => {
    expect((await edge.run(['local', 'stop'])).code).toBe(0);
    truncateSync(join(edge.home, 'local', 'data', 'fauxqs', 'fauxqs.db'), 2000);
    const r = await edge.run(['stats']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      /^error: could not start: \S+\/fauxqs\.db is damaged \(database disk image is malformed\)\nhint: move it aside \(the next start makes a new, empty one\), or delete all local state with `sqsops local reset --yes`$/m,
    );
    expect((await edge.run(['local', 'reset', '--yes'])).code).toBe(0);
    expect((await edge.run(['stats', '--json'])).code).toBe(0);
  });
});
