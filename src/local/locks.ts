import { openSync, closeSync, writeSync, readFileSync, unlinkSync, statSync } from 'node:fs';

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isFinite(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes a lock file (O_EXCL) holding our pid. A lock whose owner is dead, or that is
 * older than `staleMs`, is taken over: a crashed process must not wedge every later run.
 * Returns a release function, or undefined when a live process holds it.
 */
export function tryLock(path: string, staleMs = Number.POSITIVE_INFINITY): (() => void) | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        if (readPid(path) === process.pid) {
          try {
            unlinkSync(path);
          } catch {
            /* already gone */
          }
        }
      };
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = readPid(path);
      let age = 0;
      try {
        age = Date.now() - statSync(path).mtimeMs;
      } catch {
        continue;
      }
      // A lock written a moment ago may not have its pid yet: give it a second.
      const stale = owner === undefined ? age > 1000 : !isAlive(owner) || age > staleMs;
      if (!stale) return undefined;
      try {
        unlinkSync(path);
      } catch {
        /* someone else took it over first */
      }
    }
  }
  return undefined;
}
