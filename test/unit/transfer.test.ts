/**
 * The errors an unfinished move, copy or redrive ends with (cli/transfer.ts): what the user
 * reads after Ctrl-C or a partial failure, and the hint that says what a rerun will do.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/cli/context.js';
import { throwIfIncomplete, type TransferOutcome } from '../../src/cli/transfer.js';
import { InterruptedError, PartialFailureError } from '../../src/core/errors.js';

const ctx = createContext({}, { env: {}, stdout: new PassThrough(), stderr: new PassThrough() });

function outcome(moved: number, extra: Partial<TransferOutcome> = {}): TransferOutcome {
  return { moved, recovered: 0, filteredOut: 0, heldBack: 0, failed: [], left: { visible: 0, inFlight: 0 }, durationMs: 1, ...extra };
}

function thrown(r: TransferOutcome, copiedTo?: string): { message: string; hint?: string; error: unknown } {
  try {
    throwIfIncomplete(r, ctx, { verb: copiedTo ? 'copied' : 'moved', source: 'a', stillIn: 'a', copiedTo });
  } catch (e: unknown) {
    return { message: (e as Error).message, hint: (e as { hint?: string }).hint, error: e };
  }
  throw new Error('throwIfIncomplete did not throw');
}

describe('an interrupted transfer', () => {
  it('tells a move to run again to go on', () => {
    const t = thrown(outcome(7, { stoppedBy: 'interrupted' }));
    expect(t.error).toBeInstanceOf(InterruptedError);
    expect(t.message).toBe('interrupted: 7 moved; the rest stays in a');
    expect(t.hint).toBe('run the same command again to go on');
  });

  it('tells a copy that a rerun copies everything again, and how many the destination has', () => {
    const t = thrown(outcome(1890, { stoppedBy: 'interrupted' }), 'b');
    expect(t.error).toBeInstanceOf(InterruptedError);
    expect(t.message).toBe('interrupted: 1890 copied; every message is still in a');
    expect(t.hint).toBe('a rerun copies every message again (1890 are already in b)');
    expect(t.hint).not.toMatch(/go on/);
  });
});

describe('a transfer that failed in part', () => {
  const failure = { messageId: 'm', stage: 'send', code: 'X', reason: 'r' } as TransferOutcome['failed'][number];
  it.each([
    [1, '1 message could not be moved'],
    [2, '2 messages could not be moved'],
  ])('counts %i failure in the right number', (n, message) => {
    const t = thrown(outcome(0, { failed: Array.from({ length: n }, () => failure) }));
    expect(t.error).toBeInstanceOf(PartialFailureError);
    expect(t.message).toBe(message);
  });

  it('returns quietly when everything was done', () => {
    expect(() => throwIfIncomplete(outcome(3), ctx, { verb: 'moved', source: 'a', stillIn: 'a' })).not.toThrow();
  });
});
