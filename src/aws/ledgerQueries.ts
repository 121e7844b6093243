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
import { FORMAT_ID, LEDGER_KEY, type LedgerItem } from './ledger.js';

/** BatchGetItem's cap on keys per call. */
const GET_BATCH = 100;

/** Which records a scan keeps (DynamoDB filters them; the table's format record never passes). */
export interface RecordFilter {
  status?: string;
  /** Only this consumer's records. */
  consumer?: string;
  /** Only records of these keys (a record from before consumers is keyed by its id). */
  keys?: string[];
}

export interface FirstRecords {
  items: LedgerItem[];
  /** The scan reached the table's end: `items` are all the (matching) records, `scanned` all records. */
  complete: boolean;
  /** Records DynamoDB read (before the status filter). */
  scanned: number;
}

/**
 * DynamoDB string sets arrive as Sets, which JSON prints as {}: records are handed out with
 * arrays. A record from before consumers gets its id as its key.
 */
function fromWire(item: Record<string, unknown>): LedgerItem {
  const done = item.tasksDone;
  const out = (done instanceof Set ? { ...item, tasksDone: [...(done as Set<string>)].sort() } : item) as unknown as LedgerItem;
  return out.key === undefined ? { ...out, key: out.id } : out;
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

  /** The records of these ids (the partition key), in the order asked; ids with no record are left out. */
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
  async first(limit: number, filter: RecordFilter = {}): Promise<FirstRecords> {
    const items: LedgerItem[] = [];
    let scanned = 0;
    let start: Record<string, unknown> | undefined;
    do {
      // Without a filter every item read is kept: ask for exactly what is missing. With one, Limit
      // caps the items read before filtering, so read in larger pages.
      const want = limit - items.length;
      const filtered = filter.status !== undefined || filter.consumer !== undefined || filter.keys !== undefined;
      // No limit at all (every record of some keys): whole 1 MB pages.
      const pageLimit = !Number.isFinite(want) ? undefined : filtered ? Math.max(want, 100) : want + 1;
      const page = await this.scanPage({ ...this.recordFilter(filter), ...(pageLimit ? { Limit: pageLimit } : {}) }, start);
      scanned += page.ScannedCount ?? 0;
      items.push(...(page.Items ?? []).map(fromWire));
      start = page.LastEvaluatedKey;
    } while (start && items.length < limit);
    return { items: items.slice(0, limit), complete: start === undefined && items.length <= limit, scanned };
  }

  /** How many records (with this status), counted by DynamoDB: no item is sent. */
  async count(filter: RecordFilter = {}): Promise<{ count: number; scanned: number }> {
    let count = 0;
    let scanned = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.scanPage({ ...this.recordFilter(filter), Select: 'COUNT' }, start);
      count += page.Count ?? 0;
      scanned += page.ScannedCount ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return { count, scanned };
  }

  /** The filter DynamoDB applies: never the format record; the status, consumer and keys asked for. */
  private recordFilter(f: RecordFilter): Partial<ScanCommandInput> {
    const names: Record<string, string> = { '#id': this.keyName };
    const values: Record<string, unknown> = { ':format': FORMAT_ID };
    const clauses = ['#id <> :format'];
    if (f.status !== undefined) {
      names['#status'] = 'status';
      values[':status'] = f.status;
      clauses.push('#status = :status');
    }
    if (f.consumer !== undefined) {
      names['#consumer'] = 'consumer';
      values[':consumer'] = f.consumer;
      clauses.push('#consumer = :consumer');
    }
    if (f.keys !== undefined) {
      names['#key'] = 'key';
      const list = f.keys.map((k, i) => {
        values[`:k${i}`] = k;
        return `:k${i}`;
      });
      clauses.push(`(#key IN (${list.join(', ')}) OR #id IN (${list.join(', ')}))`);
    }
    return { FilterExpression: clauses.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
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
