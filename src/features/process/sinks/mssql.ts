/**
 * The SQL Server sink (`mssql`): a pooled connection per sink; the table is created if
 * missing (keyed by the message key, so a rewrite replaces a row); each batch
 * is one parameterised MERGE ... WITH (HOLDLOCK) on the key per 300 rows, so a
 * redelivery updates its row and two writers cannot insert the same key twice. When a
 * batch fails because of a row, rows are written one by one so the good ones still land.
 */
import type { config as MssqlConfig, ConnectionPool } from 'mssql';
import { UsageError } from '../../../core/errors.js';
import { isRetryableMssqlError, mssqlErrorNumbers, report, type Failure } from './errors.js';
import { LazyConnection, sinkErrors, type SinkErrors } from './connection.js';
import { addSecret, redact, secretsOf } from '../../../core/redact.js';
import { lastPerKey, type Sink, type SinkMessage, type SinkResult } from '../../../pipeline/sink.js';

export interface MssqlSinkOptions {
  /** `mssql://user:password@host:1433/database?encrypt=true` or an ADO-style `Server=...;Password=...` string. */
  connectionString: string;
  /** `[schema.]name`. @default "dbo.sqsops_messages" */
  table?: string;
  /** Connections per sink. @default 10 */
  poolMax?: number;
  /** @default 15000 */
  connectionTimeoutMs?: number;
  /** @default 30000 */
  requestTimeoutMs?: number;
}

/** Splits and brackets `[schema.]name`; the one identifier we must put into SQL text. */
export function quoteTable(table: string): { quoted: string; plain: string } {
  const m = /^(?:\[?(\w{1,128})\]?\.)?\[?(\w{1,128})\]?$/.exec(table.trim());
  if (!m)
    throw new UsageError(`"${table}" is not a table name`, {
      hint: 'use [schema.]name with letters, digits and _, e.g. dbo.sqsops_messages',
    });
  const schema = m[1] ?? 'dbo';
  const name = m[2]!;
  return { quoted: `[${schema}].[${name}]`, plain: `${schema}.${name}` };
}

/** The key column's width: wide enough for composite keys such as `{orderId}#{version}`, and indexable. */
const KEY_COLUMN = 512;

/**
 * What a row may hold, checked before sending, since SQL Server would refuse the row.
 * A key stops at 450 characters: the clustered primary key's entries are limited to 900 bytes.
 */
export const LIMITS = { key: 450, messageId: 128, queue: 256 } as const;

export function createTableSql(table: string): string {
  const { quoted, plain } = quoteTable(table);
  const pk = `PK_${plain.replace(/\W/g, '_')}`;
  return `IF OBJECT_ID(N'${plain}', N'U') IS NULL
CREATE TABLE ${quoted} (
  message_key NVARCHAR(${KEY_COLUMN}) NOT NULL CONSTRAINT [${pk}] PRIMARY KEY,
  message_id NVARCHAR(${LIMITS.messageId}) NOT NULL,
  queue NVARCHAR(${LIMITS.queue}) NOT NULL,
  body NVARCHAR(MAX) NOT NULL,
  receive_count INT NOT NULL,
  sent_at DATETIME2 NULL,
  created_at DATETIME2 NOT NULL DEFAULT SYSUTCDATETIME(),
  updated_at DATETIME2 NOT NULL DEFAULT SYSUTCDATETIME()
)`;
}

/** Selects no row but fails (207/208) if an existing table lacks a column we write. */
export function checkColumnsSql(table: string): string {
  return `SELECT TOP 0 message_key, message_id, queue, body, receive_count, sent_at, created_at, updated_at FROM ${quoteTable(table).quoted}`;
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

/** Why a message can never be stored in the table, or undefined. */
export function rowProblem(m: SinkMessage): string | undefined {
  if (m.key.length > LIMITS.key) return `key is ${m.key.length} characters, SQL Server's primary key allows ${LIMITS.key}`;
  if (m.messageId.length > LIMITS.messageId) return `message id is ${m.messageId.length} characters, the table allows ${LIMITS.messageId}`;
  if (m.queue.length > LIMITS.queue) return `queue name is ${m.queue.length} characters, the table allows ${LIMITS.queue}`;
  return undefined;
}

const truthy = (v: string) => /^(true|yes|1)$/i.test(v);

/**
 * An `mssql://` (or `sqlserver://`) URL as a driver config; `mssql` itself only parses
 * ADO-style strings. Undefined for anything else.
 */
export function mssqlUrlConfig(connection: string): MssqlConfig | undefined {
  if (!/^(mssql|sqlserver):\/\//i.test(connection)) return undefined;
  const hint = 'use mssql://user:password@host:1433/database?encrypt=true';
  const bad = (why: string) => new UsageError(`"${redact(connection)}" is not a SQL Server URL: ${why}`, { hint });
  let u: URL;
  try {
    u = new URL(connection);
  } catch {
    throw bad('it does not parse');
  }
  if (!u.hostname) throw bad('no host');
  const config: MssqlConfig = { server: u.hostname.replace(/^\[(.*)\]$/, '$1'), options: {}, pool: {} };
  if (u.port) config.port = Number(u.port);
  if (u.username) config.user = decodeURIComponent(u.username);
  if (u.password) config.password = decodeURIComponent(u.password);
  const database = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, ''));
  if (database) config.database = database;
  for (const [key, value] of u.searchParams) {
    const k = key.toLowerCase();
    if (k === 'encrypt') config.options!.encrypt = truthy(value);
    else if (k === 'trustservercertificate') config.options!.trustServerCertificate = truthy(value);
    else if (k === 'instancename') config.options!.instanceName = value;
    else if (k === 'appname' || k === 'applicationname') config.options!.appName = value;
    else if (k === 'connecttimeout' || k === 'connectiontimeout') config.connectionTimeout = Number(value);
    else if (k === 'requesttimeout') config.requestTimeout = Number(value);
    else
      throw bad(
        `unknown parameter "${key}" (known: encrypt, trustServerCertificate, instanceName, appName, connectTimeout, requestTimeout)`,
      );
  }
  return config;
}

export function createMssqlSink(options: MssqlSinkOptions): Sink {
  const table = options.table ?? 'dbo.sqsops_messages';
  quoteTable(table); // a bad name fails at start, not at the first message
  const urlConfig = mssqlUrlConfig(options.connectionString); // a bad URL too
  // Registered, so the password is masked in any text, a driver's stack printed by --debug included.
  addSecret(...secretsOf(options.connectionString));
  const where = redact(options.connectionString);
  const errors = sinkErrors('mssql', where, { table });
  const connection = new LazyConnection(
    () => connectPool(options, table, urlConfig, where),
    (pool) => pool.close(),
  );
  return {
    name: 'mssql',
    open: () => connection.open(),
    async write(batch, signal): Promise<SinkResult> {
      const failures = new Map<string, Failure>();
      const rows: SinkMessage[] = [];
      for (const m of lastPerKey(batch)) {
        const problem = rowProblem(m);
        if (problem) failures.set(m.key, { error: errors.describe(problem), retryable: false });
        else rows.push(m);
      }
      if (rows.length === 0) return report(batch, failures);
      let pool: ConnectionPool;
      try {
        pool = await connection.get();
      } catch (e: unknown) {
        // Unreachable, refused login, a bad table: never the message's fault.
        for (const m of rows) failures.set(m.key, { error: errors.fromError(e), retryable: true });
        return report(batch, failures);
      }
      await mergeAll(pool, table, rows, failures, errors, signal);
      return report(batch, failures);
    },
    close: () => connection.close(),
  };
}

const CONNECTION_HINT = 'use Server=host,1433;Database=...;User Id=...;Password=... or mssql://user:password@host:1433/database';

async function connectPool(
  options: MssqlSinkOptions,
  table: string,
  urlConfig: MssqlConfig | undefined,
  where: string,
): Promise<ConnectionPool> {
  const sql = (await import('mssql')).default;
  let base: MssqlConfig;
  try {
    base = urlConfig ?? sql.ConnectionPool.parseConnectionString(options.connectionString);
  } catch (e: unknown) {
    const why = redact(e instanceof Error ? e.message : String(e));
    throw new UsageError(`"${where}" is not a usable connection string: ${why}`, { hint: CONNECTION_HINT });
  }
  if (!base.server) throw new UsageError(`"${where}" names no server`, { hint: CONNECTION_HINT });
  const pool = new sql.ConnectionPool({
    ...base,
    options: { appName: 'sqsops', ...base.options },
    pool: { ...base.pool, max: options.poolMax ?? base.pool?.max ?? 10 },
    connectionTimeout: options.connectionTimeoutMs ?? base.connectionTimeout ?? 15_000,
    requestTimeout: options.requestTimeoutMs ?? base.requestTimeout ?? 30_000,
  });
  try {
    await pool.connect();
    await prepareTable(pool, table);
  } catch (e: unknown) {
    await pool.close().catch(() => undefined);
    throw e;
  }
  return pool;
}

/** Creates the table if it is missing, and checks an existing one has our columns. */
async function prepareTable(pool: ConnectionPool, table: string): Promise<void> {
  await pool
    .request()
    .batch(createTableSql(table))
    .catch((e: unknown) => {
      const numbers = mssqlErrorNumbers(e);
      if (numbers.includes(2714)) return; // another worker created it between our check and our CREATE
      if (numbers.includes(2760))
        throw new UsageError(`the schema of table ${table} does not exist`, { hint: 'create the schema, or use a dbo table' });
      if (numbers.includes(262))
        throw new UsageError(`table ${table} is missing and this login may not create it`, {
          hint: 'create it once with the statement in docs/sinks.md, or grant CREATE TABLE',
        });
      throw e;
    });
  await pool
    .request()
    .query(checkColumnsSql(table))
    .catch((e: unknown) => {
      if (!mssqlErrorNumbers(e).some((n) => n === 207 || n === 208)) throw e;
      throw new UsageError(`table ${table} exists but is not an sqsops table`, {
        hint: 'it needs message_key, message_id, queue, body, receive_count, sent_at, created_at, updated_at: pick another --mssql-table',
      });
    });
}

/** The rows in statements of ROWS_PER_STATEMENT; which rows failed goes into `failures`. */
async function mergeAll(
  pool: ConnectionPool,
  table: string,
  rows: SinkMessage[],
  failures: Map<string, Failure>,
  errors: SinkErrors,
  signal: AbortSignal | undefined,
): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    if (signal?.aborted) {
      for (const m of chunk) failures.set(m.key, { error: errors.describe('stopped before writing'), retryable: true });
      continue;
    }
    try {
      // One statement is one atomic transaction: the chunk lands whole or not at all.
      await merge(pool, table, chunk);
    } catch (e: unknown) {
      if (isRetryableMssqlError(e) || chunk.length === 1) {
        for (const m of chunk) failures.set(m.key, { error: errors.fromError(e), retryable: isRetryableMssqlError(e) });
        continue;
      }
      // A row broke the statement: find it, so the others still land.
      for (const m of chunk) {
        await merge(pool, table, [m]).catch((row: unknown) =>
          failures.set(m.key, { error: errors.fromError(row), retryable: isRetryableMssqlError(row) }),
        );
      }
    }
  }
}

async function merge(pool: ConnectionPool, table: string, rows: SinkMessage[]): Promise<void> {
  const sql = (await import('mssql')).default;
  const request = pool.request();
  rows.forEach((m, i) => {
    const sent = m.sentAt ? new Date(m.sentAt) : undefined;
    request.input(`k${i}`, sql.NVarChar(KEY_COLUMN), m.key);
    request.input(`m${i}`, sql.NVarChar(LIMITS.messageId), m.messageId);
    request.input(`q${i}`, sql.NVarChar(LIMITS.queue), m.queue);
    request.input(`b${i}`, sql.NVarChar(sql.MAX), JSON.stringify(m.body) ?? 'null');
    request.input(`r${i}`, sql.Int, m.receiveCount);
    request.input(`s${i}`, sql.DateTime2, sent && !Number.isNaN(sent.getTime()) ? sent : null);
  });
  await request.query(mergeSql(table, rows.length));
}
