/**
 * Keeps the state dir private to its user: message bodies sit in fauxqs's SQLite (and its
 * -wal), S3 object files and dynalite's LevelDB, and the credentials beside them. New
 * files are private because the daemon runs with umask 077; homes made by older versions
 * (0755 / 0644) are tightened once, and the caller says so on stderr.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/** Creates `dir` (and parents we create) as 0700; an existing dir is tightened by `tightenTree`. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * Removes group and other permissions from `root` and everything below it (dirs 0700 at
 * most, files 0600 at most; symlinks are not followed). Returns how many entries changed.
 */
export function tightenTree(root: string): number {
  let changed = 0;
  const visit = (path: string): void => {
    let st: Stats;
    try {
      st = lstatSync(path);
    } catch {
      return; // removed meanwhile
    }
    if (st.isSymbolicLink()) return;
    if ((st.mode & 0o077) !== 0) {
      chmodSync(path, st.mode & 0o700);
      changed++;
    }
    if (!st.isDirectory()) return;
    for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return changed;
}

/** The folders below the state dir that sqsops owns (the rest of SQSOPS_HOME is left alone). */
const OWNED = ['local', 'redrive'];

/** Tightens the state dir itself and, recursively, the folders sqsops keeps in it. */
export function tightenHome(home: string): number {
  let changed = 0;
  try {
    const st = lstatSync(home);
    if (st.isDirectory() && (st.mode & 0o077) !== 0) {
      chmodSync(home, st.mode & 0o700);
      changed++;
    }
  } catch {
    return 0; // not created yet
  }
  for (const name of OWNED) changed += tightenTree(join(home, name));
  return changed;
}

/** The stderr line for a home that `tightenHome` had to change. */
export function tightenedNote(home: string, changed: number): string {
  return `note: made ${home} private to you (${changed} ${changed === 1 ? 'entry was' : 'entries were'} readable by other users)`;
}
