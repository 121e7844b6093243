/** Errors of the machine, not of sqsops, said as such by the one exit point (src/cli/main.ts). */

/**
 * A full or read-only disk is the machine's state, not a bug of ours: said as such, whichever
 * layer met it (a file we write, or the local AWS's SQLite answering a request).
 */
export function diskProblem(e: unknown): { message: string; hint: string } | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const at = err?.path ? ` (${err.path})` : '';
  const home = 'free space there, or set SQSOPS_HOME (or the output path) to another disk';
  if (err?.code === 'ENOSPC' || err?.code === 'EDQUOT') return { message: `no space left on the disk${at}`, hint: home };
  if (err?.code === 'EROFS')
    return { message: `the file system is read-only${at}`, hint: 'set SQSOPS_HOME (or the output path) to a writable folder' };
  if (/database or disk is full|No space left on device/i.test(err?.message ?? '')) {
    return { message: 'the local AWS could not store it: no space left on the disk of its state dir', hint: home };
  }
  return undefined;
}
