/**
 * Which process is the daemon of a state dir. The pid comes from the lock the daemon
 * holds for its whole life (server.json can be corrupt or gone while it runs), and is
 * signalled only after its command line shows it is our daemon for this very state dir:
 * a pid from a stale file may belong to anything by now.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { localPaths } from './paths.js';
import { isAlive } from './locks.js';

/** The file name tsup gives the daemon entry (see tsup.config.ts). */
const DAEMON_SCRIPT = 'localDaemon.js';

function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || process.platform === 'linux') return undefined;
  }
  // No /proc (macOS, BSD): ps prints the arguments joined by spaces, close enough to match ours.
  try {
    const line = execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return line.trim().split(/\s+/);
  } catch {
    return undefined;
  }
}

/** True only if `pid` runs our daemon script with `--home <home>`. */
export function isLocalDaemon(pid: number, home: string): boolean {
  if (!isAlive(pid)) return false;
  const args = commandLine(pid);
  if (!args) return false;
  const at = args.indexOf('--home');
  return args.some((a) => a.endsWith(DAEMON_SCRIPT)) && at >= 0 && args[at + 1] === home;
}

/** The pid in the daemon lock, whether or not it is (still) the daemon. */
export function lockedPid(home: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(localPaths(home).daemonLock, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The daemon's pid for this state dir, verified; undefined when none runs. */
export function runningDaemonPid(home: string): number | undefined {
  const pid = lockedPid(home);
  return pid !== undefined && isLocalDaemon(pid, home) ? pid : undefined;
}
