import { describe, expect, it } from 'vitest';
import { diskProblem } from '../../src/cli/systemErrors.js';

/** An error as Node's fs raises it (code, path, message). */
const fsError = (code: string, path: string) => Object.assign(new Error(`${code}: failed, write '${path}'`), { code, path });

describe('errors of the machine, not of sqsops', () => {
  it('says a full disk, naming the file it could not write', () => {
    expect(diskProblem(fsError('ENOSPC', '/home/me/.sqsops/local/start.lock'))).toEqual({
      message: 'no space left on the disk (/home/me/.sqsops/local/start.lock)',
      hint: 'free space there, or set SQSOPS_HOME (or the output path) to another disk',
    });
    expect(diskProblem(fsError('EDQUOT', '/q'))?.message).toBe('no space left on the disk (/q)');
  });

  it('says a read-only file system', () => {
    expect(diskProblem(fsError('EROFS', '/ro/local/data'))).toMatchObject({ message: 'the file system is read-only (/ro/local/data)' });
  });

  it("says the local AWS's SQLite ran out of disk, as its error reaches a command", () => {
    expect(diskProblem(new Error('database or disk is full'))?.message).toBe(
      'the local AWS could not store it: no space left on the disk of its state dir',
    );
  });

  it('leaves every other error to the internal-error path', () => {
    expect(diskProblem(fsError('EACCES', '/x'))).toBeUndefined();
    expect(diskProblem(new TypeError('x is undefined'))).toBeUndefined();
    expect(diskProblem(undefined)).toBeUndefined();
  });
});
