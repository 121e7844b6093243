/**
 * The DynamoDB idempotency ledger: one item per consumer and processed key, its
 * partition key `consumer#key` (see core/consumer.ts). Only this file sends DynamoDB
 * commands.
 */
import { CreateTableCommand, DescribeTableCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  type ScanCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { CLAIM_CONDITION, interpretExisting, interpretLegacy, type ClaimOutcome, type ExistingRecord } from '../core/claims.js';
import { ledgerId, type LedgerRef } from '../core/consumer.js';
import {
  CLAIM_NAMES,
  claimItem,
  claimValues,
  fromWire,
  LEDGER_KEY,
  type ClaimInput,
  type LedgerItem,
  type RecordInput,
} from './ledgerItem.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { ResourceNotFoundError } from '../core/errors.js';
import { retryRemaining } from '../core/retry.js';
import { sdkErrorName, translateCommonError } from './errors.js';

export { LEDGER_KEY, type ClaimInput, type LedgerItem, type LedgerRef, type LedgerStatus, type RecordInput } from './ledgerItem.js';

export class Ledger {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly table: string,
    private readonly signal?: AbortSignal,
    private readonly endpoint?: string,
  ) {}

  private fail(e: unknown): never {
    if (sdkErrorName(e) === 'ResourceNotFoundException') {
      throw new ResourceNotFoundError(`ledger table "${this.table}" does not exist`, {
        hint: 'create it with `sqsops setup`, or name another with --table / SQSOPS_LEDGER_TABLE',
        cause: e,
        context: { table: this.table },
      });
    }
    throw translateCommonError(e, { service: 'DynamoDB', endpoint: this.endpoint }) ?? e;
  }

  private get raw(): DynamoDBClient {
    return this.doc as unknown as DynamoDBClient;
  }

  async exists(): Promise<boolean> {
    try {
      await this.raw.send(new DescribeTableCommand({ TableName: this.table }), { abortSignal: this.signal });
      return true;
    } catch (e: unknown) {
      if (sdkErrorName(e) === 'ResourceNotFoundException') return false;
      this.fail(e);
    }
  }

  /** Creates the table (on-demand, TTL on `expiresAt`); a no-op if it exists. */
  async create(): Promise<boolean> {
    try {
      await this.raw.send(
        new CreateTableCommand({
          TableName: this.table,
          AttributeDefinitions: [{ AttributeName: LEDGER_KEY, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: LEDGER_KEY, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
        { abortSignal: this.signal },
      );
    } catch (e: unknown) {
      if (sdkErrorName(e) === 'ResourceInUseException') return false;
      this.fail(e);
    }
    // Real DynamoDB keeps a new table CREATING for a few seconds.
    for (let i = 0; i < 60; i++) {
      const out = await this.raw.send(new DescribeTableCommand({ TableName: this.table }), { abortSignal: this.signal });
      if (out.Table?.TableStatus === 'ACTIVE') break;
      await sleep(1000, undefined, { signal: this.signal });
    }
    try {
      await this.raw.send(
        new UpdateTimeToLiveCommand({ TableName: this.table, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }),
        { abortSignal: this.signal },
      );
    } catch {
      // TTL is a nicety (old records expire); emulators without it still work.
    }
    return true;
  }

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
    return interpretLegacy(await this.getById(key), payloadHash, Date.now());
  }

  /** A record by its partition key, as stored (a consistent read). */
  async getById(id: string): Promise<(ExistingRecord & LedgerItem) | undefined> {
    try {
      const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { [LEDGER_KEY]: id }, ConsistentRead: true }), {
        abortSignal: this.signal,
      });
      return out.Item ? fromWire(out.Item as ExistingRecord & LedgerItem) : undefined;
    } catch (e: unknown) {
      this.fail(e);
    }
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

  /** Every item, a page at a time (DynamoDB returns at most 1 MB per Scan). */
  async *scan(options: { projection?: string[]; pageSize?: number } = {}): AsyncGenerator<LedgerItem[]> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      let out: ScanCommandOutput;
      try {
        out = await this.doc.send(
          new ScanCommand({
            TableName: this.table,
            ExclusiveStartKey,
            Limit: options.pageSize,
            ...(options.projection
              ? {
                  ProjectionExpression: options.projection.map((_, i) => `#p${i}`).join(','),
                  ExpressionAttributeNames: Object.fromEntries(options.projection.map((p, i) => [`#p${i}`, p])),
                }
              : {}),
          }),
          { abortSignal: this.signal },
        );
      } catch (e: unknown) {
        this.fail(e);
      }
      yield ((out.Items ?? []) as LedgerItem[]).map(fromWire);
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  /**
   * Deletes keys 25 at a time (the BatchWriteItem cap); unprocessed items are retried
   * with backoff until none are left. Returns how many were deleted.
   */
  async deleteKeys(keys: string[], onDeleted?: (n: number) => void): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < keys.length; i += 25) {
      const requests: Record<string, unknown>[] = keys.slice(i, i + 25).map((id) => ({ DeleteRequest: { Key: { [LEDGER_KEY]: id } } }));
      const { error } = await retryRemaining(
        requests,
        async (pending) => {
          let out: BatchWriteCommandOutput;
          try {
            out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending } }), { abortSignal: this.signal });
          } catch (e: unknown) {
            this.fail(e);
          }
          const left = (out.UnprocessedItems?.[this.table] ?? []) as Record<string, unknown>[];
          deleted += pending.length - left.length;
          onDeleted?.(pending.length - left.length);
          return left;
        },
        // Unprocessed items are DynamoDB saying "later", never "no": retried until done; errors are not.
        { maxAttempts: Infinity, baseMs: 50, capMs: 5000, isFatal: () => true, signal: this.signal },
      );
      if (error !== undefined) throw error;
    }
    return deleted;
  }
}
