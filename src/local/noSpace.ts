/**
 * A full disk under the local AWS's state folder: the one write failure the emulators are
 * made to survive (src/local/dynalitePatches.ts, src/local/fauxqsDiskFull.ts). It is the
 * machine's state, not a bug, and it heals when space is freed; any other error keeps its
 * own path (a 500, or a crash that says what broke).
 */

/** SQLite's primary result code for "database or disk is full". */
const SQLITE_FULL = 13;

/** True for a write that failed only because the disk (or the user's quota) is full. */
export function isNoSpace(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const { code, errcode, message } = e as { code?: unknown; errcode?: unknown; message?: unknown };
  if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  // node:sqlite: code ERR_SQLITE_ERROR, errcode the (extended) result code.
  if (code === 'ERR_SQLITE_ERROR') return typeof errcode === 'number' && (errcode & 0xff) === SQLITE_FULL;
  // classic-level (dynalite's LevelDB) says it in the message of an IO error.
  if (code === 'LEVEL_IO_ERROR') return /No space left on device|Disk quota exceeded/i.test(String(message));
  return false;
}

/** The one sentence every service answers with (the CLI recognises "No space left on device"). */
export function noSpaceMessage(stateDir: string): string {
  return `No space left on device under the local AWS's state folder ${stateDir}: nothing was stored; free space there and send it again`;
}
