/**
 * The SQL Server sink: the contract and the server tests run against SQSOPS_TEST_MSSQL_URL
 * (SQL Server cannot be installed on this project's machines) and print why they are
 * skipped otherwise; a refused connection and the pure helpers need no server.
 */
import { randomUUID } from 'node:crypto';
import sql from 'mssql';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { isRetryableMssqlError, mssqlErrorNumbers } from '../../src/features/process/sinks/errors.js';
import { addSecret, redact, secretsOf } from '../../src/core/redact.js';
import {
  checkColumnsSql,
  createMssqlSink,
  createTableSql,
  LIMITS,
  mergeSql,
  mssqlUrlConfig,
  quoteTable,
  ROWS_PER_STATEMENT,
  rowProblem,
} from '../../src/features/process/sinks/mssql.js';
import { describeWithServer, message, sinkContract, unlessSet, writeWithServerDown } from './contract.js';

const ENV = 'SQSOPS_TEST_MSSQL_URL';

/** A table of its own per test, dropped by cleanup; `admin` reads it back. */
async function freshTable(url: string) {
  const table = `dbo.sqsops_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const { quoted } = quoteTable(table);
  const admin = await new sql.ConnectionPool(mssqlUrlConfig(url) ?? url).connect();
  return {
    table,
    quoted,
    admin,
    count: async () => Number((await admin.request().query(`SELECT COUNT(*) AS n FROM ${quoted}`)).recordset[0].n),
    async cleanup() {
      await admin.request().query(`DROP TABLE IF EXISTS ${quoted}`);
      await admin.close();
    },
  };
}

sinkContract(
  'SQL Server',
  async () => {
    const url = process.env[ENV]!;
    const t = await freshTable(url);
    const make = () => createMssqlSink({ connectionString: url, table: t.table });
    return {
      sink: make(),
      reopen: async () => make(),
      async read(key) {
        const r = await t.admin.request().input('k', sql.NVarChar(512), key).query(`SELECT body FROM ${t.quoted} WHERE message_key = @k`);
        return r.recordset[0] ? JSON.parse(r.recordset[0].body as string) : undefined;
      },
      count: t.count,
      cleanup: t.cleanup,
    };
  },
  unlessSet(ENV),
);

describeWithServer('SQL Server sink on a server', ENV, (url) => {
  it('creates its table once: two sinks opening together both succeed', async () => {
    const t = await freshTable(url);
    const sinks = [createMssqlSink({ connectionString: url, table: t.table }), createMssqlSink({ connectionString: url, table: t.table })];
    try {
      await Promise.all(sinks.map((s) => s.open!()));
      await sinks[0]!.open!(); // and again on an open sink
      expect(await t.count()).toBe(0);
    } finally {
      await Promise.all(sinks.map((s) => s.close()));
      await t.cleanup();
    }
  });

  it('refuses at open a table that exists without the sqsops columns', async () => {
    const t = await freshTable(url);
    await t.admin.request().query(`CREATE TABLE ${t.quoted} (id INT PRIMARY KEY, message NVARCHAR(MAX))`);
    const sink = createMssqlSink({ connectionString: url, table: t.table });
    await expect(sink.open!()).rejects.toThrow(/is not an sqsops table/);
    await sink.close();
    await t.cleanup();
  });

  it('maps a row the table rejects to its key as permanent, and stores the others', async () => {
    const t = await freshTable(url);
    await t.admin.request().batch(createTableSql(t.table));
    await t.admin.request().query(`ALTER TABLE ${t.quoted} ADD CONSTRAINT CK_${t.table.slice(4)}_body CHECK (body <> N'"refused"')`);
    const sink = createMssqlSink({ connectionString: url, table: t.table });
    try {
      const r = await sink.write([message('good-1', { ok: 1 }), message('bad', 'refused'), message('good-2', { ok: 2 })]);
      expect(r.succeeded.sort()).toEqual(['good-1', 'good-2']);
      expect(r.failed.map((f) => [f.key, f.retryable])).toEqual([['bad', false]]);
      expect(await t.count()).toBe(2);
    } finally {
      await sink.close();
      await t.cleanup();
    }
  });

  it('writes a batch larger than one statement, and rewrites it without duplicates', async () => {
    const t = await freshTable(url);
    const sink = createMssqlSink({ connectionString: url, table: t.table });
    try {
      const batch = Array.from({ length: ROWS_PER_STATEMENT * 2 + 5 }, (_, i) => message(`many-${i}`, { i }));
      expect((await sink.write(batch)).failed).toEqual([]);
      expect((await sink.write(batch)).failed).toEqual([]);
      expect(await t.count()).toBe(batch.length);
    } finally {
      await sink.close();
      await t.cleanup();
    }
  });
});

describe('SQL Server sink without a server', () => {
  it.each([
    ['a URL', 'mssql://sa:secret@127.0.0.1:1'],
    ['a URL with a percent-encoded password', 'mssql://sa:s%40cret@127.0.0.1:1/master?encrypt=false'],
    ['a connection string', 'Server=127.0.0.1,1;Database=master;User Id=sa;Password=secret;Encrypt=false;Connection Timeout=2'],
    ['a connection string with a quoted password', 'Server=127.0.0.1,1;User Id=sa;Password="se;cret";Encrypt=false'],
  ])('with %s: a refused connection is retryable and never shows the password', async (_kind, url) => {
    const sink = createMssqlSink({ connectionString: url, connectionTimeoutMs: 2000 });
    const { first, seen } = await writeWithServerDown(sink);
    expect(first).toMatch(/^mssql \(.*\*\*\*.*\): /);
    for (const s of ['secret', 's%40cret', 's@cret', 'se;cret', 'cret"']) expect(seen).not.toContain(s);
    await sink.close();
    await sink.close();
  });

  it('fails a message the table can never hold as permanent, before any server is asked', async () => {
    const sink = createMssqlSink({ connectionString: 'mssql://sa:secret@127.0.0.1:1' });
    const r = await sink.write([message('k'.repeat(LIMITS.key + 1), 1), message('fits', 2)]);
    expect(r.failed.map((f) => [f.key.length, f.retryable])).toEqual([
      [LIMITS.key + 1, false],
      [4, true],
    ]);
    expect(r.failed[0]!.error.message).toMatch(/key is 451 characters, SQL Server's primary key allows 450/);
    await sink.close();
  });

  it('stops the run for a configuration no retry can fix, without echoing the password', async () => {
    expect(() => createMssqlSink({ connectionString: 'Server=x', table: 'dbo.t; DROP TABLE x' })).toThrow(/is not a table name/);
    expect(() => createMssqlSink({ connectionString: 'mssql://sa:secret@h/db?bogus=1' })).toThrow(/unknown parameter "bogus"/);
    const noServer = createMssqlSink({ connectionString: 'Database=x;User Id=sa;Password=secret' });
    const failure = await noServer.open!().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(UsageError);
    expect((failure as Error).message).toBe('"Database=x;User Id=sa;Password=***" names no server');
  });

  it('does not write once the run is stopping', async () => {
    const sink = createMssqlSink({ connectionString: 'mssql://sa:secret@127.0.0.1:1' });
    const r = await sink.write([message('k', 1)], AbortSignal.abort());
    expect(r.failed.map((f) => f.retryable)).toEqual([true]);
    await sink.close();
  });
});

describe('SQL Server sink helpers', () => {
  it('brackets [schema.]name and refuses anything else', () => {
    expect(quoteTable('dbo.msgs')).toEqual({ quoted: '[dbo].[msgs]', plain: 'dbo.msgs' });
    expect(quoteTable('msgs').quoted).toBe('[dbo].[msgs]');
    expect(quoteTable('[ops].[msgs]').quoted).toBe('[ops].[msgs]');
    for (const bad of ['a.b.c', 'x]; DROP TABLE y --', "t'", 'a b', '']) expect(() => quoteTable(bad)).toThrow(/is not a table name/);
  });

  it('creates the table only when missing, keyed by the message key, and checks an existing one', () => {
    const ddl = createTableSql('ops.msgs');
    expect(ddl).toMatch(/^IF OBJECT_ID\(N'ops\.msgs', N'U'\) IS NULL\nCREATE TABLE \[ops\]\.\[msgs\]/);
    expect(ddl).toContain('message_key NVARCHAR(512) NOT NULL CONSTRAINT [PK_ops_msgs] PRIMARY KEY');
    expect(ddl).toContain('sent_at DATETIME2 NULL');
    expect(checkColumnsSql('ops.msgs')).toMatch(/^SELECT TOP 0 message_key, .* FROM \[ops\]\.\[msgs\]$/);
  });

  it('merges with HOLDLOCK and parameters only, under the 2,100-parameter cap', () => {
    const merge = mergeSql('dbo.msgs', 2);
    expect(merge).toMatch(/^MERGE \[dbo\]\.\[msgs\] WITH \(HOLDLOCK\) AS t/);
    expect(merge).toContain('(@k0, @m0, @q0, @b0, @r0, @s0),\n    (@k1, @m1, @q1, @b1, @r1, @s1)');
    expect(merge).not.toContain("'");
    expect(mergeSql('dbo.msgs', ROWS_PER_STATEMENT).match(/@\w+/g)!.length / 2).toBeLessThanOrEqual(2100);
  });

  it('finds a row the table can never hold', () => {
    const m = message('k', 1);
    expect(rowProblem(m)).toBeUndefined();
    expect(rowProblem({ ...m, messageId: 'x'.repeat(129) })).toMatch(/message id is 129/);
    expect(rowProblem({ ...m, queue: 'q'.repeat(257) })).toMatch(/queue name is 257/);
    // NVARCHAR counts UTF-16 units, as JS does; the clustered key stops at 900 bytes.
    expect(rowProblem({ ...m, key: '😀'.repeat(225) })).toBeUndefined();
    expect(rowProblem({ ...m, key: `${'😀'.repeat(225)}x` })).toMatch(/key is 451 characters/);
  });

  it('reads an mssql:// URL into a driver config (mssql parses only ADO strings)', () => {
    expect(
      mssqlUrlConfig('mssql://sa:p%40ss@db.example:1444/orders?encrypt=false&trustServerCertificate=true&requestTimeout=5000'),
    ).toEqual({
      server: 'db.example',
      port: 1444,
      user: 'sa',
      password: 'p@ss',
      database: 'orders',
      requestTimeout: 5000,
      options: { encrypt: false, trustServerCertificate: true },
      pool: {},
    });
    expect(mssqlUrlConfig('Server=h;Password=x')).toBeUndefined();
    expect(() => mssqlUrlConfig('mssql:///db')).toThrow(UsageError);
  });

  const requestError = (number: number, message = `error ${number}`) =>
    new sql.RequestError(Object.assign(new Error(message), { info: { number } }), 'EREQUEST');
  const terminated = (cause: number) =>
    Object.assign(requestError(3621, 'The statement has been terminated.'), { precedingErrors: [requestError(cause)] });

  it('reads the cause of a failed statement from the errors before "terminated"', () => {
    expect(mssqlErrorNumbers(terminated(2628))).toEqual([2628, 3621]);
    expect(isRetryableMssqlError(terminated(2628))).toBe(false);
    expect(isRetryableMssqlError(terminated(1205))).toBe(true);
  });

  const cases: [string, unknown, boolean][] = [
    ...(['ESOCKET', 'ETIMEOUT', 'ECONNCLOSED', 'ELOGIN'] as const).map((code): [string, unknown, boolean] => [
      code,
      new sql.ConnectionError('x', code),
      true,
    ]),
    ...[1205, 40197, 40501, 40613, 49918, 49919, 49920].map((n): [string, unknown, boolean] => [`number ${n}`, requestError(n), true]),
    ...[2628, 8152, 245, 8114, 515, 547].map((n): [string, unknown, boolean] => [`number ${n}`, requestError(n), false]),
    ['an unknown number', requestError(50_000), true], // unknown: retry rather than DLQ
    ['a request timeout', new sql.RequestError('Timeout: Request failed to complete in 30000ms', 'ETIMEOUT'), true],
  ];
  it.each(cases)('classifies %s as retryable: %s', (_what, e, expected) => expect(isRetryableMssqlError(e)).toBe(expected));

  it('finds and hides every form of the password', () => {
    expect(secretsOf('Server=h;Password="a;bc";User Id=u')).toContain('a;bc'); // 4 characters: shorter ones are not registered
    expect(secretsOf('mssql://u:p%40ss@h/db')).toEqual(expect.arrayContaining(['p%40ss', 'p@ss']));
    expect(redact('Server=h;Pwd={a;b};User Id=u')).toBe('Server=h;Pwd=***;User Id=u');
    expect(redact('mssql://u:pw@h/db')).toBe('mssql://u:***@h/db');
    addSecret(...secretsOf('mssql://u:p%40ss@h/db'));
    expect(redact('Login failed for p@ss (Password=x)')).toBe('Login failed for *** (Password=***');
  });
});
