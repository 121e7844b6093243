/**
 * `sqsops load` as a process: JSON lines per interval that add up, the exit code,
 * worker processes, and bad input as one line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, type CliHome } from '../helpers/cli.js';

let cli: CliHome;
beforeAll(() => {
  cli = newHome();
});
afterAll(async () => cli.cleanup());

interface Line {
  type: 'sample' | 'result';
  [k: string]: unknown;
}
const lines = (stdout: string): Line[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

describe('sqsops load', () => {
  it('prints one JSON line per interval and a result that adds up, exit 0', async () => {
    const r = await cli.run(['--json', 'load', '--queue', 'e2e-load', '--rate', '30', '--duration', '2s', '--interval', '500ms']);
    expect(r.code, r.stderr).toBe(0);
    const all = lines(r.stdout);
    const samples = all.filter((l) => l.type === 'sample');
    const result = all.at(-1)!;
    expect(result.type).toBe('result');
    expect(samples.length).toBeGreaterThanOrEqual(4);
    expect(result).toMatchObject({ asked: 60, lost: 0, sendFailed: 0, senderLimited: false });
    expect(result.completed).toBe(result.sent);
    expect((result.latency as { count: number }).count).toBe(result.completed);
    expect(samples.reduce((n, s) => n + (s.latency as { count: number }).count, 0)).toBe(result.completed);
    // Every sample and the result split what was sent so far into outcomes that add up.
    for (const s of samples) expect(Number(s.processed) + Number(s.inDlq) + Number(s.onQueue)).toBe(s.sent);
    expect(Number(result.processed) + Number(result.inDlq) + Number(result.leftOnQueue) + Number(result.lost)).toBe(result.sent);
    // Progress notes stay on stderr, no live view off a terminal.
    expect(r.stderr).not.toContain('latency  p50');
  });

  it('fails with exit 1 and one line when a message waits longer than --max-age', async () => {
    const pause = ['--pause-workers-at', '200ms', '--resume-at', '1500ms'];
    const r = await cli.run(['load', '--queue', 'e2e-load-age', '--rate', '20', '--duration', '2s', ...pause, '--max-age', '500ms']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('oldest waited');
    expect(r.stderr).toMatch(/error: .*max age: a message waited \d+\.\d s, over --max-age 0.5 s/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs the workers as separate process-sqs processes, and still loses nothing', async () => {
    const r = await cli.run(['--json', 'load', '--queue', 'e2e-load-procs', '--rate', '20', '--duration', '2s', '--workers-as-processes']);
    expect(r.code, r.stderr).toBe(0);
    const result = lines(r.stdout).at(-1)!;
    expect(result).toMatchObject({ workers: { count: 2, mode: 'processes' }, lost: 0 });
    expect(result.completed).toBe(result.sent);
    expect((result.metrics as Record<string, number>).MessagesSaved).toBe(result.sent);
  });

  it.each([
    [['--rate', 'fast'], /--rate "fast" is not a rate/],
    [['--rate', '10', '--pause-workers-at', '5s'], /--pause-workers-at and --resume-at go together/],
    [['--rate', '10', '--pause-workers-at', '5s', '--resume-at', '2s'], /--resume-at \(2s\) must come after/],
    [['--duration', 'soon'], /--duration must be a duration like 30s, 5m or 1h/],
    [['--rate', '10', '--steps', '3'], /--steps cuts a ramp into steps/],
    [['--shared-queue'], /--shared-queue goes with --queue/],
    [['--sink', 'nowhere'], /--sink must be one of s3, mongodb, mssql, not "nowhere"/],
    [['--key', '{orderId'], /--key template "\{orderId" is malformed/],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const r = await cli.run(['load', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // Refused before the run is announced: no run queue named, none made.
    expect(r.stderr).not.toMatch(/load run /);
  });
});
