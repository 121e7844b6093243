/**
 * MongoDB and SQL Server: the contract suite runs against a real server when
 * SQSOPS_TEST_MONGODB_URL / SQSOPS_TEST_MSSQL_URL are set (neither server can be
 * installed on this project's machines), and says it was skipped otherwise. What needs
 * no server (a refused connection is retryable and never shows the password) always runs.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMongoSink } from '../../src/sinks/mongodb.js';
import { createMssqlSink, quoteTable } from '../../src/sinks/mssql.js';
import { sinkContract, message } from './contract.js';

const mongoUrl = process.env.SQSOPS_TEST_MONGODB_URL;
const mssqlUrl = process.env.SQSOPS_TEST_MSSQL_URL;

sinkContract(
  'mongodb',
  async () => {
    const { MongoClient } = await import('mongodb');
    const database = `sqsops_test_${randomUUID().slice(0, 8)}`;
    const admin = new MongoClient(mongoUrl!);
    await admin.connect();
    const collection = admin.db(database).collection<{ _id: string; body: unknown }>('messages');
    const make = () => createMongoSink({ url: mongoUrl!, database, collection: 'messages' });
    return {
      sink: make(),
      reopen: async () => make(),
      read: async (key) => (await collection.findOne({ _id: key }))?.body,
      count: () => collection.countDocuments(),
      async cleanup() {
        await admin.db(database).dropDatabase();
        await admin.close();
      },
    };
  },
  mongoUrl ? {} : { skip: 'set SQSOPS_TEST_MONGODB_URL to run it against a MongoDB server' },
);

sinkContract(
  'mssql',
  async () => {
    const sql = (await import('mssql')).default;
    const table = `dbo.sqsops_test_${randomUUID().slice(0, 8).replace(/-/g, '')}`;
    const pool = await new sql.ConnectionPool(mssqlUrl!).connect();
    const make = () => createMssqlSink({ connectionString: mssqlUrl!, table });
    const { quoted } = quoteTable(table);
    return {
      sink: make(),
      reopen: async () => make(),
      async read(key) {
        const r = await pool.request().input('k', sql.NVarChar(512), key).query(`SELECT body FROM ${quoted} WHERE message_key = @k`);
        return r.recordset[0] ? JSON.parse(r.recordset[0].body as string) : undefined;
      },
      count: async () => Number((await pool.request().query(`SELECT COUNT(*) AS n FROM ${quoted}`)).recordset[0].n),
      async cleanup() {
        await pool.request().query(`DROP TABLE IF EXISTS ${quoted}`);
        await pool.close();
      },
    };
  },
  mssqlUrl ? {} : { skip: 'set SQSOPS_TEST_MSSQL_URL to run it against a SQL Server' },
);

describe('database sinks without a server', () => {
  it('mongodb: a refused connection fails every message as retryable, and never shows the password', async () => {
    const sink = createMongoSink({ url: 'mongodb://app:s3cr3t-pw@127.0.0.1:1/?directConnection=true', serverSelectionTimeoutMs: 300 });
    await sink.open?.();
    const r = await sink.write([message('k1', { a: 1 }), message('k2', { a: 2 })]);
    expect(r.succeeded).toEqual([]);
    expect(r.failed.map((f) => [f.key, f.retryable])).toEqual([
      ['k1', true],
      ['k2', true],
    ]);
    expect(r.failed[0]!.error.message).toMatch(/^mongodb \(mongodb:\/\/app:\*\*\*@127\.0\.0\.1:1\/.*\): /);
    expect(JSON.stringify(r.failed.map((f) => f.error.message))).not.toContain('s3cr3t-pw');
    await sink.close();
  });

  it.each([
    ['a URL', 'mssql://sa:s3cr3t-pw@127.0.0.1:1/master?encrypt=false'],
    ['a connection string', 'Server=127.0.0.1,1;Database=master;User Id=sa;Password=s3cr3t-pw;Encrypt=false;Connection Timeout=1'],
  ])('mssql with %s: a refused connection is retryable and never shows the password', async (_kind, url) => {
    const sink = createMssqlSink({ connectionString: url });
    await sink.open?.();
    const r = await sink.write([message('k1', { a: 1 })]);
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0]!.retryable).toBe(true);
    expect(r.failed[0]!.error.message).not.toContain('s3cr3t-pw');
    await sink.close();
  });

  it('mssql: rejects a table name that could inject SQL before connecting', () => {
    expect(() => createMssqlSink({ connectionString: 'Server=x', table: 'dbo.t; DROP TABLE x' })).toThrow(/is not a table name/);
  });
});
