import { describe, expect, it } from 'vitest';
import { isNoSpace, noSpaceMessage } from '../../src/local/noSpace.js';
import { diskProblem } from '../../src/cli/systemErrors.js';

const err = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.message ?? 'x')), fields);

describe('isNoSpace: the write failures the local AWS survives', () => {
  it.each([
    ['ENOSPC from a file write', err({ code: 'ENOSPC' }), true],
    ['EDQUOT (the quota is full)', err({ code: 'EDQUOT' }), true],
    ['SQLITE_FULL from node:sqlite', err({ code: 'ERR_SQLITE_ERROR', errcode: 13, message: 'database or disk is full' }), true],
    ['an extended SQLITE_FULL code', err({ code: 'ERR_SQLITE_ERROR', errcode: 13 | (1 << 8) }), true],
    ['SQLITE_CONSTRAINT', err({ code: 'ERR_SQLITE_ERROR', errcode: 19, message: 'NOT NULL constraint failed' }), false],
    ['SQLITE_IOERR (not a full disk)', err({ code: 'ERR_SQLITE_ERROR', errcode: 10, message: 'disk I/O error' }), false],
    ['LevelDB out of space', err({ code: 'LEVEL_IO_ERROR', message: 'IO error: /x/000003.log: No space left on device' }), true],
    ['LevelDB on a bad sector', err({ code: 'LEVEL_IO_ERROR', message: 'IO error: /x/000003.log: Input/output error' }), false],
    ['EIO', err({ code: 'EIO' }), false],
    ['a message that only mentions it', err({ message: 'No space left on device' }), false],
    ['a string', 'ENOSPC', false],
    ['undefined', undefined, false],
  ])('%s: %s', (_name, e, expected) => {
    expect(isNoSpace(e)).toBe(expected);
  });

  it("says where, and in words the CLI recognises as the disk's problem", () => {
    const message = noSpaceMessage('/home/me/.sqsops/local/data');
    expect(message).toContain('/home/me/.sqsops/local/data');
    expect(diskProblem(new Error(message))?.message).toMatch(/no space left/);
  });
});
