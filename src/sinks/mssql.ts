/**
 * The SQL Server sink (`mssql`): a pooled connection per sink; the table is created if
 * missing (the seed's create_messages_table.sql, keyed by the message key); each batch
 * is one parameterised MERGE ... WITH (HOLDLOCK) on the key, so a redelivery updates its
 * row and two writers cannot insert the same key twice. When a batch fails because of
 * a row, rows are written one by one so the good ones still land.
 */
import type { ConnectionPool } from 'mssql';
import { UsageError } from '../core/errors.js';
import { isRetryableMssqlError, scrub } from './dbErrors.js';
import { lastPerKey, redactUrl, type Sink, type SinkMessage, type SinkResult } from './types.js';

export interface MssqlSinkOptions {
  /** An mssql:// URL or an ADO-style connection string. */
  connectionString: string;
  /** `[schema.]name`. @default "dbo.sqsops_messages" */
  table?: string;
  /** @default 10 */
  poolMax?: number;
  /** @default 30000 */
  requestTimeoutMs?: number;
}

/** Splits and brackets `[schema.]name`; the one identifier we must put into SQL text. */
export function quoteTable(table: string): { quoted: string; plain: string } {
  const m = /^(?:\[?(\w{1,128})\]?\.)?\[?(\w{1,128})\]?$/.exec(table.trim());
  if (!m) throw new UsageError(`"${table}" is not a table name`, { hint: 'use [schema.]name with letters, digits and _, e.g. dbo.sqsops_messages' });
  const schema = m[1] ?? 'dbo';
  const name = m[2]!;
  return { quoted: `[${schema}].[${name}]`, plain: `${schema}.${name}` };
}

export function createTableSql(table: string): string {
  const { quoted, plain } = quoteTable(table);
  const pk = `PK_${plain.replace(/\W/g, '_')}`;
  return `IF OBJECT_ID(N'${plain}', N'U') IS NULL
CREATE TABLE ${quoted} (
  message_key NVARCHAR(512) NOT NULL CONSTRAINT [${pk}] PRIMARY KEY,
  message_id NVARCHAR(128) NOT NULL,
  queue NVARCHAR(256) NOT NULL,
  body NVARCHAR(MAX) NOT NULL,
  receive_count INT NOT NULL,
  sent_at DATETIME2 NULL,
  created_at DATETIME2 NOT NULL DEFAULT SYSUTCDATETIME(),
  updated_at DATETIME2 NOT NULL DEFAULT SYSUTCDATETIME()
)`;
}

/** Six parameters a row; SQL Server allows 2,100 a request. */
export const ROWS_PER_STATEMENT = 300;

export function mergeSql(table: string, rows: number): string {
  const { quoted } = quoteTable(table);
  const values = Array.from({ length: rows }, (_, i) => `(@k${i}, @m${i}, @q${i}, @b${i}, @r${i}, @s${i})`).join(',\n    ');
  return `MERGE ${quoted} WITH (HOLDLOCK) AS t
USING (VALUES
    ${values}
) AS s (message_key, message_id, queue, body, receive_count, sent_at)
ON t.message_key = s.message_key
WHEN MATCHED THEN UPDATE SET message_id = s.message_id, queue = s.queue, body = s.body,
  receive_count = s.receive_count, sent_at = s.sent_at, updated_at = SYSUTCDATETIME()
WHEN NOT MATCHED THEN INSERT (message_key, message_id, queue, body, receive_count, sent_at)
  VALUES (s.message_key, s.message_id, s.queue, s.body, s.receive_count, s.sent_at);`;
}

export function createMssqlSink(options: MssqlSinkOptions): Sink {
  const table = options.table ?? 'dbo.sqsops_messages';
  quoteTable(table); // a bad name fails at start, not at the first message
  let pool: ConnectionPool | undefined;
  let ready: Promise<ConnectionPool> | undefined;
  const where = redactUrl(options.connectionString);
  const fail = (e: unknown) => new Error(`mssql (${where}): ${scrub(e instanceof Error ? e.message : String(e), options.connectionString)}`);

  const connect = (): Promise<ConnectionPool> =>
    (ready ??= (async () => {
      const sql = await import('mssql');
      const config = sql.default.ConnectionPool.parseConnectionString(options.connectionString);
      const p = new sql.default.ConnectionPool({
        ...config,
        pool: { ...config.pool, max: options.poolMax ?? 10 },
        requestTimeout: options.requestTimeoutMs ?? 30_000,
      });
      await p.connect();
      await p.request().batch(createTableSql(table));
      pool = p;
      return p;
    })().catch((e: unknown) => {
      ready = undefined; // the next write tries again
      throw e;
    }));

  const merge = async (p: ConnectionPool, rows: SinkMessage[]) => {
    const sql = (await import('mssql')).default;
    const request = p.request();
    rows.forEach((m, i) => {
      request.input(`k${i}`, sql.NVarChar(512), m.key);
      request.input(`m${i}`, sql.NVarChar(128), m.messageId);
      request.input(`q${i}`, sql.NVarChar(256), m.queue);
      request.input(`b${i}`, sql.NVarChar(sql.MAX), JSON.stringify(m.body));
      request.input(`r${i}`, sql.Int, m.receiveCount);
      request.input(`s${i}`, sql.DateTime2, m.sentAt ? new Date(m.sentAt) : null);
    });
    await request.query(mergeSql(table, rows.length));
  };

  return {
    name: 'mssql',
    async open() {
      await connect().catch(() => undefined); // not fatal: writes fail (retryable) until the server answers
    },
    async write(batch): Promise<SinkResult> {
      const unique = lastPerKey(batch);
      if (unique.length === 0) return { succeeded: [], failed: [] };
      let p: ConnectionPool;
      try {
        p = await connect();
      } catch (e: unknown) {
        const error = fail(e);
        return { succeeded: [], failed: batch.map((m) => ({ key: m.key, error, retryable: true })) };
      }
      const failedKeys = new Map<string, { error: Error; retryable: boolean }>();
      for (let i = 0; i < unique.length; i += ROWS_PER_STATEMENT) {
        const chunk = unique.slice(i, i + ROWS_PER_STATEMENT);
        try {
          await merge(p, chunk);
        } catch (e: unknown) {
          if (isRetryableMssqlError(e) || chunk.length === 1) {
            for (const m of chunk) failedKeys.set(m.key, { error: fail(e), retryable: isRetryableMssqlError(e) });
            continue;
          }
          // A row broke the statement: find it, so the others still land.
          for (const m of chunk) {
            try {
              await merge(p, [m]);
            } catch (row: unknown) {
              failedKeys.set(m.key, { error: fail(row), retryable: isRetryableMssqlError(row) });
            }
          }
        }
      }
      const result: SinkResult = { succeeded: [], failed: [] };
      for (const m of batch) {
        const f = failedKeys.get(m.key);
        if (f) result.failed.push({ key: m.key, ...f });
        else result.succeeded.push(m.key);
      }
      return result;
    },
    async close() {
      await pool?.close();
      pool = undefined;
      ready = undefined;
    },
  };
}
