/**
 * The DynamoDB idempotency ledger: one item per consumer and processed key, its
 * partition key `consumer#key` (see core/consumer.ts), claimed, completed and released
 * by the rules of core/claims.ts. The table itself (create, scan, clear): ledgerTable.ts.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CLAIM_CONDITION, interpretExisting, interpretLegacy, type ClaimOutcome, type ExistingRecord } from '../core/claims.js';
import { ledgerId, type LedgerRef } from '../core/consumer.js';
import { sdkErrorName } from './errors.js';
import {
  CLAIM_NAMES,
  claimItem,
  claimValues,
  FORMAT_ID,
  fromWire,
  LEDGER_KEY,
  type ClaimInput,
  type LedgerItem,
  type RecordInput,
} from './ledgerItem.js';
import { LedgerTable } from './ledgerTable.js';

export {
  FORMAT_ID,
  LEDGER_KEY,
  type ClaimInput,
  type LedgerItem,
  type LedgerRef,
  type LedgerStatus,
  type RecordInput,
} from './ledgerItem.js';

export class Ledger extends LedgerTable {
  /** Whether records from before consumers may be in the table: asked once (see legacyPossible). */
  private mayHoldLegacy?: Promise<boolean>;

  /**
   * Records a completed key (consume) under the same rule as a claim: written if no record
   * is there, or one past its TTL, released, or in progress past its lease. Otherwise
   * 'duplicate' (completed before) or 'inflight' (another worker holds a live lease).
   */
  async recordIfAbsent(input: RecordInput): Promise<'recorded' | 'duplicate' | 'inflight'> {
    // By hand, so no hurry: a record from before consumers is read first, and no claim needs undoing.
    const before = await this.legacyOutcome(input.key, input.payloadHash ?? '');
    if (before) return before.kind === 'duplicate' ? 'duplicate' : 'inflight';
    const item: LedgerItem = { ...input, id: ledgerId(input) };
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = Date.now();
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: item,
            ConditionExpression: CLAIM_CONDITION,
            ExpressionAttributeNames: CLAIM_NAMES,
            ExpressionAttributeValues: claimValues(now),
          }),
          { abortSignal: this.signal },
        );
        return 'recorded';
      } catch (e: unknown) {
        if (sdkErrorName(e) !== 'ConditionalCheckFailedException') this.fail(e);
      }
      // Read why, by the claim's rules; a record that may be taken over after all is tried again.
      const outcome = interpretExisting(await this.getById(item.id), item.payloadHash ?? '', Date.now());
      if (outcome) return outcome.kind === 'duplicate' ? 'duplicate' : 'inflight';
    }
    return 'inflight';
  }

  /**
   * Claims a key for `owner` for `leaseMs`: one conditional write. A key never seen is
   * claimed by a PutItem conditioned on `attribute_not_exists` (the common case, and
   * DynamoDB's cheapest conditional write); when a record is there, it is read
   * (consistently) to tell a duplicate or a live claim by someone else from a record that
   * may be taken over, and only then is the takeover written, as an update. A record
   * from before consumers that still binds (see interpretLegacy) wins over the claim.
   */
  async claim(input: ClaimInput): Promise<ClaimOutcome> {
    // Before the first claim: a claim would make an empty table look like one with old records.
    await this.legacyPossible();
    // Read beside the claim, not after it: records from before consumers add no wait.
    const legacy = this.legacyOutcome(input.key, input.payloadHash);
    legacy.catch(() => undefined); // awaited below only when the claim is ours
    const outcome = await this.claimOwn(input);
    if (outcome.kind !== 'claimed') return outcome;
    const ref = { consumer: input.consumer, key: input.key };
    let before: ClaimOutcome | undefined;
    try {
      before = await legacy;
    } catch (e: unknown) {
      await this.release(ref, input.owner).catch(() => false);
      throw e;
    }
    if (!before) return outcome;
    // Done before the upgrade: now this consumer's record says so too. Held by an old worker: ours is let go.
    if (before.kind === 'duplicate') await this.complete(ref, input.owner, input.ttlSeconds);
    else await this.release(ref, input.owner);
    return before;
  }

  /** The claim on this consumer's own record. */
  private async claimOwn(input: ClaimInput): Promise<ClaimOutcome> {
    const id = ledgerId(input);
    let absent = true; // until a read says otherwise
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return absent ? await this.claimAbsent(input) : await this.takeOver(input);
      } catch (e: unknown) {
        if (sdkErrorName(e) !== 'ConditionalCheckFailedException') this.fail(e);
      }
      const existing = await this.getById(id);
      const outcome = interpretExisting(existing, input.payloadHash, Date.now());
      if (outcome) return outcome;
      absent = existing === undefined;
    }
    return { kind: 'inflight', owner: 'unknown', leaseExpiresAt: Date.now() };
  }

  /** The first claim of a key: the whole record, only if there is none. */
  private async claimAbsent(input: ClaimInput): Promise<ClaimOutcome> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: claimItem(input, Date.now()),
        ConditionExpression: 'attribute_not_exists(#id)',
        ExpressionAttributeNames: { '#id': LEDGER_KEY },
      }),
      { abortSignal: this.signal },
    );
    return { kind: 'claimed', tasksDone: [] };
  }

  /**
   * Takes over a record that is past its TTL, released, or whose lease ran out. An
   * update, not a put: a claim taken over from a crashed or released worker keeps what
   * that worker recorded (tasksDone), so finished tasks are not run again.
   */
  private async takeOver(input: ClaimInput): Promise<ClaimOutcome> {
    const now = Date.now();
    const item = claimItem(input, now);
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { [LEDGER_KEY]: item.id },
        UpdateExpression:
          'SET #status = :inprogress, #owner = :owner, #leaseExpiresAt = :lease, payloadHash = :hash, #queue = :queue, messageId = :mid, receiveCount = :rc, updatedAt = :now, #expiresAt = :exp, #source = :src',
        ConditionExpression: CLAIM_CONDITION,
        ExpressionAttributeNames: { ...CLAIM_NAMES, '#owner': 'owner', '#queue': 'queue', '#source': 'source' },
        ExpressionAttributeValues: {
          ...claimValues(now),
          ':owner': item.owner,
          ':lease': item.leaseExpiresAt,
          ':hash': item.payloadHash,
          ':queue': item.queue,
          ':mid': item.messageId,
          ':rc': item.receiveCount,
          ':now': item.updatedAt,
          ':exp': item.expiresAt,
          ':src': item.source,
        },
        ReturnValues: 'ALL_OLD',
      }),
      { abortSignal: this.signal },
    );
    const old = out.Attributes ? fromWire(out.Attributes as LedgerItem) : undefined;
    if (old?.status === 'COMPLETED' && old.tasksDone) {
      // A record past its TTL is a fresh start: its finished tasks belong to the old run.
      await this.updateIfOwner(input, input.owner, 'REMOVE tasksDone', {}, { inProgress: false });
      return { kind: 'claimed', tasksDone: [] };
    }
    return { kind: 'claimed', tasksDone: old?.tasksDone ? [...old.tasksDone] : [] };
  }

  /** A consumer's record of a key. */
  get(ref: LedgerRef): Promise<(ExistingRecord & LedgerItem) | undefined> {
    return this.getById(ledgerId(ref));
  }

  /** What a record from before consumers (keyed by the bare key) says about a key; see interpretLegacy. */
  private async legacyOutcome(key: string, payloadHash: string): Promise<ClaimOutcome | undefined> {
    if (!(await this.legacyPossible())) return undefined;
    return interpretLegacy(await this.getById(key), payloadHash, Date.now());
  }

  /**
   * Whether records from before consumers may be in the table, asked once: not when the
   * format record is there, nor when the table is empty (then the format record is written).
   * A table with records and no format record may hold old ones: they are read, to be safe.
   */
  private legacyPossible(): Promise<boolean> {
    this.mayHoldLegacy ??= this.checkFormat().catch((e: unknown) => {
      this.mayHoldLegacy = undefined; // asked again next time
      throw e;
    });
    return this.mayHoldLegacy;
  }

  private async checkFormat(): Promise<boolean> {
    if (await this.getById(FORMAT_ID)) return false;
    let first: LedgerItem | undefined;
    for await (const page of this.scan({ projection: [LEDGER_KEY], pageSize: 1, pages: 1 })) first = page[0];
    if (first === undefined) {
      await this.markFormat();
      return false;
    }
    // Another worker may have just marked the table and claimed a key: then it is marked.
    return (await this.getById(FORMAT_ID)) === undefined;
  }

  /** Marks our claim COMPLETED; false if we no longer own it (our lease ran out and someone took over). */
  async complete(ref: LedgerRef, owner: string, ttlSeconds: number): Promise<boolean> {
    return this.updateIfOwner(ref, owner, 'SET #status = :completed, updatedAt = :now, expiresAt = :exp REMOVE #owner, leaseExpiresAt', {
      ':completed': 'COMPLETED',
      ':now': new Date().toISOString(),
      ':exp': Math.floor(Date.now() / 1000) + ttlSeconds,
    });
  }

  /**
   * Gives our claim up so the message can be processed again (by anyone, at once); false
   * if it is not ours. The record stays, marked RELEASED, so the tasks it finished stay
   * recorded for the next attempt.
   */
  async release(ref: LedgerRef, owner: string): Promise<boolean> {
    return this.updateIfOwner(ref, owner, 'SET #status = :released, updatedAt = :now REMOVE #owner, leaseExpiresAt', {
      ':released': 'RELEASED',
      ':now': new Date().toISOString(),
    });
  }

  /** Records that one task finished for a key we own (a string set, added to atomically). */
  async markTaskDone(ref: LedgerRef, owner: string, task: string): Promise<boolean> {
    return this.updateIfOwner(ref, owner, 'ADD tasksDone :task', { ':task': new Set([task]) });
  }

  /** Extends our lease (heartbeat); false if it is not ours any more. */
  async extend(ref: LedgerRef, owner: string, leaseMs: number): Promise<boolean> {
    return this.updateIfOwner(ref, owner, 'SET leaseExpiresAt = :lease', { ':lease': Date.now() + leaseMs });
  }

  /**
   * One UpdateItem on a record `owner` holds: by default only while it is INPROGRESS
   * (`inProgress: false` drops that part of the condition). False when the condition
   * fails (the record is not ours any more); any other error is thrown.
   */
  private async updateIfOwner(
    ref: LedgerRef,
    owner: string,
    updateExpression: string,
    values: Record<string, unknown>,
    { inProgress = true }: { inProgress?: boolean } = {},
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { [LEDGER_KEY]: ledgerId(ref) },
          UpdateExpression: updateExpression,
          ConditionExpression: inProgress ? '#status = :inprogress AND #owner = :owner' : '#owner = :owner',
          ExpressionAttributeNames: inProgress ? { '#status': 'status', '#owner': 'owner' } : { '#owner': 'owner' },
          ExpressionAttributeValues: { ...(inProgress ? { ':inprogress': 'INPROGRESS' } : {}), ':owner': owner, ...values },
        }),
        { abortSignal: this.signal },
      );
      return true;
    } catch (e: unknown) {
      if (sdkErrorName(e) === 'ConditionalCheckFailedException') return false;
      this.fail(e);
    }
  }
}
