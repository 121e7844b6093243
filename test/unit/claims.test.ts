import { describe, expect, it } from 'vitest';
import { interpretExisting } from '../../src/core/claims.js';

const now = 1_800_000_000_000;
const nowSec = now / 1000;

describe('interpretExisting (why a conditional claim failed)', () => {
  it('a completed record is a duplicate, flagged when the payload differs', () => {
    expect(interpretExisting({ status: 'COMPLETED', payloadHash: 'h', expiresAt: nowSec + 60 }, 'h', now)).toEqual({
      kind: 'duplicate',
      payloadMismatch: false,
    });
    expect(interpretExisting({ status: 'COMPLETED', payloadHash: 'h', expiresAt: nowSec + 60 }, 'x', now)).toEqual({
      kind: 'duplicate',
      payloadMismatch: true,
    });
  });

  it('a live lease held by another owner is in flight', () => {
    expect(interpretExisting({ status: 'INPROGRESS', owner: 'B', leaseExpiresAt: now + 1 }, 'h', now)).toEqual({
      kind: 'inflight',
      owner: 'B',
      leaseExpiresAt: now + 1,
    });
  });

  it('gone, released, lease run out, or past the TTL: claimable (undefined), as CLAIM_CONDITION says', () => {
    expect(interpretExisting(undefined, 'h', now)).toBeUndefined();
    expect(interpretExisting({ status: 'RELEASED' }, 'h', now)).toBeUndefined();
    expect(interpretExisting({ status: 'INPROGRESS', owner: 'B', leaseExpiresAt: now - 1 }, 'h', now)).toBeUndefined();
    expect(interpretExisting({ status: 'COMPLETED', payloadHash: 'h', expiresAt: nowSec - 1 }, 'h', now)).toBeUndefined();
    expect(
      interpretExisting({ status: 'INPROGRESS', owner: 'B', leaseExpiresAt: now + 60_000, expiresAt: nowSec - 1 }, 'h', now),
    ).toBeUndefined();
  });

  it('a record expiring this very second is still live (the condition is a strict <)', () => {
    expect(interpretExisting({ status: 'COMPLETED', payloadHash: 'h', expiresAt: nowSec }, 'h', now)).toMatchObject({ kind: 'duplicate' });
  });
});
