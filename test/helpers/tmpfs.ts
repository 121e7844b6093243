/**
 * A small disk that fills up: a tmpfs the test mounts (needs root, or CAP_SYS_ADMIN). Where
 * mounting is not allowed, `mountTmpfs` returns why, and the suite says it skipped; with
 * SQSOPS_REQUIRE_TMPFS=1 (set by .ci/run where it can mount) that is a failure instead.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  /** Unmounts and removes the mount point. */
  cleanup(): void;
}

/** Mounts a tmpfs of `sizeKiB` at a new folder; returns the reason where it cannot. */
export function mountTmpfs(sizeKiB: number): Tmpfs | string {
  const dir = mkdtempSync(join(tmpdir(), 'sqsops-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return `mount -t tmpfs: ${(r.stderr || String(r.error)).trim()}`;
  }
  return {
    dir,
    cleanup() {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For a suite that needs a tmpfs: probes once, and returns whether to run. Prints why it
 * skips, or throws when SQSOPS_REQUIRE_TMPFS=1 asks for it.
 */
export function tmpfsAvailable(suite: string): boolean {
  const probe = mountTmpfs(64);
  if (typeof probe !== 'string') {
    probe.cleanup();
    return true;
  }
  if (process.env.SQSOPS_REQUIRE_TMPFS === '1') throw new Error(`SQSOPS_REQUIRE_TMPFS=1 but no tmpfs can be mounted: ${probe}`);
  console.log(`${suite} skipped: cannot mount a tmpfs here (${probe}); needs root or CAP_SYS_ADMIN`);
  return false;
}

/** Writes zeros into `dir` until its disk says ENOSPC; returns the file to delete to free the space. */
export function fillDisk(dir: string): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  try {
    for (const size of [1 << 20, 1 << 14, 1 << 10, 1]) {
      const chunk = Buffer.alloc(size);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (e: unknown) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      }
    }
  } finally {
    closeSync(fd);
  }
  return file;
}
