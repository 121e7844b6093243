/**
 * Lookups in the idempotency ledger, each reading only what it needs: records by key
 * (BatchGetItem, 100 keys a call), the first N records (a Scan paged with `Limit` that stops
 * once it has them), a status filter applied by DynamoDB (`FilterExpression`), and a count
 * (`Select: COUNT`, no items sent). Every Scan page read is counted in `pagesRead`.
 */
import {
  BatchGetCommand,
  ScanCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ResourceNotFoundError } from '../core/errors.js';
import { retryRemaining } from '../core/retry.js';
import { sdkErrorName, translateCommonError } from './errors.js';
import { LEDGER_KEY, type LedgerItem } from './ledger.js';

/** BatchGetItem's cap on keys per call. */
const GET_BATCH = 100;

export interface FirstRecords {
  items: LedgerItem[];
  /** The scan reached the table's end: `items` are all the (matching) records, `scanned` all records. */
  complete: boolean;
  /** Records DynamoDB read (before the status filter). */
  scanned: number;
}

/** DynamoDB string sets arrive as Sets, which JSON prints as {}: records are handed out with arrays. */
function fromWire(item: Record<string, unknown>): LedgerItem {
  const done = item.tasksDone;
  return (done instanceof Set ? { ...item, tasksDone: [...(done as Set<string>)].sort() } : item) as unknown as LedgerItem;
}

export class LedgerQueries {
  /** Scan pages read so far (each one request). */
  pagesRead = 0;

  /** `keyName`: the table's partition key attribute. */
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly table: string,
    private readonly options: { keyName?: string; signal?: AbortSignal; endpoint?: string } = {},
  ) {}

  private fail(e: unknown): never {
    if (sdkErrorName(e) === 'ResourceNotFoundException') {
      throw new ResourceNotFoundError(`ledger table "${this.table}" does not exist`, {
        hint: 'create it with `sqsops setup`, or name another with --table / SQSOPS_LEDGER_TABLE',
        cause: e,
        context: { table: this.table },
      });
    }
    throw translateCommonError(e, { service: 'DynamoDB', endpoint: this.options.endpoint }) ?? e;
  }

  private get keyName(): string {
    return this.options.keyName ?? LEDGER_KEY;
  }

  /** The records of these keys, in the order asked; keys with no record are left out. */
  async get(keys: string[]): Promise<LedgerItem[]> {
    const unique = [...new Set(keys)];
    const found = new Map<string, LedgerItem>();
    for (let i = 0; i < unique.length; i += GET_BATCH) {
      const wanted: Record<string, unknown>[] = unique.slice(i, i + GET_BATCH).map((k) => ({ [this.keyName]: k }));
      const { error } = await retryRemaining(
        wanted,
        async (pending) => {
          let out: BatchGetCommandOutput;
          try {
            out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending } } }), {
              abortSignal: this.options.signal,
            });
          } catch (e: unknown) {
            this.fail(e);
          }
          for (const item of out.Responses?.[this.table] ?? []) found.set(String(item[this.keyName]), fromWire(item));
          return out.UnprocessedKeys?.[this.table]?.Keys ?? [];
        },
        // Unprocessed keys are DynamoDB saying "later", never "no": retried until done; errors are not.
        { maxAttempts: Infinity, baseMs: 50, capMs: 5000, isFatal: () => true, signal: this.options.signal },
      );
      if (error !== undefined) throw error;
    }
    return unique.flatMap((k) => found.get(k) ?? []);
  }

  /** The first `limit` records in the table's own order (by hash, not time), reading no further than needed. */
  async first(limit: number, filter: { status?: string } = {}): Promise<FirstRecords> {
    const items: LedgerItem[] = [];
    let scanned = 0;
    let start: Record<string, unknown> | undefined;
    do {
      // Without a filter every item read is kept: ask for exactly what is missing. With one, Limit
      // caps the items read before filtering, so read in larger pages.
      const want = limit - items.length;
      const page = await this.scanPage({ ...this.statusFilter(filter.status), Limit: filter.status ? Math.max(want, 100) : want }, start);
      scanned += page.ScannedCount ?? 0;
      items.push(...(page.Items ?? []).map(fromWire));
      start = page.LastEvaluatedKey;
    } while (start && items.length < limit);
    return { items: items.slice(0, limit), complete: start === undefined && items.length <= limit, scanned };
  }

  /** How many records (with this status), counted by DynamoDB: no item is sent. */
  async count(filter: { status?: string } = {}): Promise<{ count: number; scanned: number }> {
    let count = 0;
    let scanned = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.scanPage({ ...this.statusFilter(filter.status), Select: 'COUNT' }, start);
      count += page.Count ?? 0;
      scanned += page.ScannedCount ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return { count, scanned };
  }

  private statusFilter(status: string | undefined): Partial<ScanCommandInput> {
    if (!status) return {};
    return {
      FilterExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status },
    };
  }

  private async scanPage(input: Partial<ScanCommandInput>, start: Record<string, unknown> | undefined) {
    this.pagesRead++;
    try {
      return await this.doc.send(new ScanCommand({ ...input, TableName: this.table, ExclusiveStartKey: start }), {
        abortSignal: this.options.signal,
      });
    } catch (e: unknown) {
      this.fail(e);
    }
  }
}
