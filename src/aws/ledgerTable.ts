/**
 * The ledger's table: created, scanned, read by id, emptied. The DynamoDB commands of the
 * ledger are sent here and in ledger.ts (the claim rules), nowhere else.
 */
import { CreateTableCommand, DescribeTableCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  ScanCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  type ScanCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExistingRecord } from '../core/claims.js';
import { ResourceNotFoundError } from '../core/errors.js';
import { retryRemaining } from '../core/retry.js';
import { sdkErrorName, translateCommonError } from './errors.js';
import { FORMAT_ID, fromWire, LEDGER_KEY, type LedgerItem } from './ledgerItem.js';

export class LedgerTable {
  constructor(
    protected readonly doc: DynamoDBDocumentClient,
    readonly table: string,
    protected readonly signal?: AbortSignal,
    private readonly endpoint?: string,
  ) {}

  protected fail(e: unknown): never {
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

  /** Writes the format record: only for a table known to hold no record from before consumers. */
  async markFormat(): Promise<void> {
    const item = { [LEDGER_KEY]: FORMAT_ID, format: 'consumer#key', updatedAt: new Date().toISOString() };
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item }), { abortSignal: this.signal });
    } catch (e: unknown) {
      this.fail(e);
    }
  }

  /** Every item, a page at a time (DynamoDB returns at most 1 MB per Scan). */
  async *scan(options: { projection?: string[]; pageSize?: number; pages?: number } = {}): AsyncGenerator<LedgerItem[]> {
    let pages = 0;
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
    } while (ExclusiveStartKey && ++pages !== options.pages);
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
