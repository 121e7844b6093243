/**
 * A local AWS with a large stored state, through the built CLI: the command that starts it
 * says it is loading and waits, and `local status` says the same meanwhile, instead of
 * a timeout that killed the daemon (and every later start) as hung.
 */
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
});
