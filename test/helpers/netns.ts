/**
 * Network namespaces for the address tests: made with `ip` (root with CAP_NET_ADMIN), servers
 * run inside them as a node process. Without the right, a suite says why and is skipped,
 * unless SQSOPS_REQUIRE_NETNS=1 makes that a failure.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

export const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8' });

/** Runs each `ip` step in order; returns the first that failed and why, or undefined. */
export function ipSteps(steps: string[][]): string | undefined {
  for (const step of steps) {
    const r = ip(...step);
    if (r.error || r.status !== 0) return `ip ${step.join(' ')}: ${(r.stderr || String(r.error)).trim()}`;
  }
  return undefined;
}

/** Where the namespace could not be made (`why`): prints that `suite` is skipped, or throws when SQSOPS_REQUIRE_NETNS=1. */
export function noNamespace(suite: string, why: string): void {
  if (process.env.SQSOPS_REQUIRE_NETNS === '1') throw new Error(`SQSOPS_REQUIRE_NETNS=1 but no network namespace: ${why}`);
  console.log(`${suite} skipped: cannot make a network namespace here (${why}); needs root with CAP_NET_ADMIN`);
}

/**
 * Runs `code` (an ES module for node) inside namespace `ns`, reading its stdout as JSON lines:
 * each goes to `onLine`, which returns true for the line that says the servers are up.
 */
export async function runInNamespace(ns: string, code: string, onLine: (msg: Record<string, string>) => boolean): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--no-warnings', '--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  await new Promise<void>((ready, fail) => {
    child.once('exit', (c) => fail(new Error(`namespace servers exited (${c})`)));
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (onLine(JSON.parse(line) as Record<string, string>)) ready();
    });
  });
  return child;
}
