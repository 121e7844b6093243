/**
 * The MongoDB sink against a real MongoDB wire-protocol server: SQSOPS_TEST_MONGODB_URL if
 * set, else a FerretDB 1.24 (SQLite backend) that this file starts when its binary is found
 * (`.ci/run` builds it; CI sets SQSOPS_REQUIRE_FERRETDB=1 so a missing binary fails instead
 * of skipping). Without either, the server tests print why they are skipped. A refused
 * connection and the pure helpers need no server.
 */
import { randomUUID } from 'node:crypto';
import { MongoBulkWriteError, MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { isRetryableMongoError } from '../../src/features/process/sinks/errors.js';
import {
  bulkWriteFailures,
  createMongoSink,
  mongoClientOptions,
  mongoDocument,
  type MessageDocument,
} from '../../src/features/process/sinks/mongodb.js';
import { ferretdbBinary, startFerretDB, type FerretServer } from '../helpers/ferretdb.js';
import { describeIf, message, sinkContract, writeWithServerDown } from './contract.js';

const ENV = 'SQSOPS_TEST_MONGODB_URL';

async function mongoServer(): Promise<{ url?: string; ferret?: FerretServer; skip?: string }> {
  if (process.env[ENV]) return { url: process.env[ENV] };
  const binary = ferretdbBinary();
  if (binary) {
    const ferret = await startFerretDB(binary);
    return { url: ferret.url, ferret };
  }
  if (process.env.SQSOPS_REQUIRE_FERRETDB === '1') {
    throw new Error("SQSOPS_REQUIRE_FERRETDB=1 but no ferretdb binary in GOPATH/bin or SQSOPS_FERRETDB_BIN: run .ci/run's FerretDB step");
  }
  return { skip: `no MongoDB server: set ${ENV}, or build FerretDB into GOPATH/bin as .ci/run does` };
}

const server = await mongoServer();
afterAll(async () => server.ferret?.stop());

/** A database of its own per suite, dropped by cleanup. */
async function freshDatabase(url: string) {
  const database = `sqsops_test_${randomUUID().slice(0, 8)}`;
  const admin = await new MongoClient(url).connect();
  const collection = admin.db(database).collection<MessageDocument>('messages');
  return {
    database,
    admin,
    collection,
    async cleanup() {
      await admin.db(database).dropDatabase();
      await admin.close();
    },
  };
}

sinkContract(
  'MongoDB',
  async () => {
    const url = server.url!;
    const db = await freshDatabase(url);
    const make = () => createMongoSink({ url, database: db.database });
    return {
      sink: make(),
      reopen: async () => make(),
      read: async (key) => (await db.collection.findOne({ _id: key }))?.body,
      count: () => db.collection.countDocuments(),
      cleanup: db.cleanup,
    };
  },
  { skip: server.skip },
);

describeIf('MongoDB sink on a server', server.url, server.skip, (url) => {
  it('stores the message fields under _id = key, and a redelivery rewrites the one document', async () => {
    const db = await freshDatabase(url);
    const sink = createMongoSink({ url, database: db.database });
    try {
      const m = message('fields', { a: 1 }, { groupId: 'g', attributes: { tenant: 't1' } });
      await sink.write([m]);
      const first = await db.collection.findOne({ _id: 'fields' });
      expect(first).toMatchObject({
        messageId: m.messageId,
        queue: 'contract',
        receiveCount: 1,
        groupId: 'g',
        attributes: { tenant: 't1' },
        sentAt: new Date(m.sentAt!),
      });
      await sink.write([{ ...m, receiveCount: 2 }]);
      const docs = await db.collection.find({}).toArray();
      expect(docs).toHaveLength(1);
      expect(docs[0]!.receiveCount).toBe(2);
      expect(docs[0]!.storedAt.getTime()).toBeGreaterThanOrEqual(first!.storedAt.getTime());
    } finally {
      await sink.close();
      await db.cleanup();
    }
  });

  it("maps each document the server rejects to its key as permanent, with the server's message, and stores the others", async () => {
    const db = await freshDatabase(url);
    const build = await db.admin.db('admin').command({ buildInfo: 1 });
    // FerretDB has no collection validators (createCollection answers NotImplemented) but refuses nested
    // arrays with BadValue; MongoDB stores nested arrays, so there a validator does the refusing.
    const ferret = typeof build.ferretdbVersion === 'string';
    const validator = { $jsonSchema: { properties: { body: { bsonType: 'object' } } } };
    if (!ferret) await db.admin.db(db.database).createCollection('messages', { validator });
    const sink = createMongoSink({ url, database: db.database });
    try {
      const bad = ferret
        ? {
            matrix: [
              [1, 2],
              [3, 4],
            ],
          }
        : 'not an object';
      // Two rejected documents, neither first: FerretDB's bulk reply names only one of them, at the wrong index.
      const batch = [message('good-1', { ok: 1 }), message('bad-1', bad), message('good-2', { ok: 2 }), message('bad-2', bad)];
      const r = await sink.write(batch);
      expect(r.succeeded.sort()).toEqual(['good-1', 'good-2']);
      expect(r.failed.map((f) => [f.key, f.retryable])).toEqual([
        ['bad-1', false],
        ['bad-2', false],
      ]);
      expect(r.failed[1]!.error.message).toMatch(ferret ? /^mongodb \(.*\): .*nested arrays are not supported/ : /validation/i);
      expect(await db.collection.countDocuments()).toBe(2);
    } finally {
      await sink.close();
      await db.cleanup();
    }
  });

  it('fails every message as retryable on a refused login, and never shows the password', async () => {
    const withLogin = url.replace('mongodb://', 'mongodb://reader:pa55-w0rd@');
    const sink = createMongoSink({ url: withLogin, database: `sqsops_test_${randomUUID().slice(0, 8)}` });
    try {
      const r = await sink.write([message('k1', { a: 1 }), message('k2', { a: 2 })]);
      expect(r.succeeded).toEqual([]);
      expect(r.failed.map((f) => [f.key, f.retryable])).toEqual([
        ['k1', true],
        ['k2', true],
      ]);
      expect(r.failed[0]!.error.message).toMatch(/^mongodb \(mongodb:\/\/reader:\*\*\*@127\.0\.0\.1:\d+\/\): .*(auth|Auth)/);
      const seen = JSON.stringify(r.failed.map((f) => [f.error.message, f.error.stack, (f.error as UsageError).context]));
      expect(seen).not.toContain('pa55-w0rd');
    } finally {
      await sink.close();
    }
  });
});

const killable = server.ferret ? undefined : `needs a FerretDB this suite starts and can kill (${server.skip ?? `not with ${ENV}`})`;
describeIf('MongoDB sink when the server goes away mid-run', server.ferret && ferretdbBinary(), killable, (binary) => {
  it('fails the batch written while the server is down as retryable, then stores again once it is back', async () => {
    const own = await startFerretDB(binary);
    const database = `sqsops_test_${randomUUID().slice(0, 8)}`;
    const sink = createMongoSink({ url: own.url, database, serverSelectionTimeoutMs: 3000 });
    try {
      await sink.open!();
      expect((await sink.write([message('before', { n: 1 })])).failed).toEqual([]);
      await own.kill();
      const down = await sink.write([message('during-1', { n: 2 }), message('during-2', { n: 3 })]);
      expect(down.succeeded).toEqual([]);
      expect(down.failed.map((f) => [f.key, f.retryable])).toEqual([
        ['during-1', true],
        ['during-2', true],
      ]);
      await own.restart();
      // The redelivery of the failed batch, on the same sink: the driver reconnects by itself.
      const again = await sink.write([message('during-1', { n: 2 }), message('during-2', { n: 3 })]);
      expect(again.failed).toEqual([]);
      const check = await new MongoClient(own.url).connect();
      try {
        const docs = await check.db(database).collection<MessageDocument>('messages').find({}).sort({ _id: 1 }).toArray();
        expect(docs.map((d) => [d._id, d.body])).toEqual([
          ['before', { n: 1 }],
          ['during-1', { n: 2 }],
          ['during-2', { n: 3 }],
        ]);
      } finally {
        await check.close();
      }
    } finally {
      await sink.close();
      await own.stop();
    }
  });
});

describe('MongoDB sink without a server', () => {
  it.each([
    ['a plain password', 'mongodb://user:secret@127.0.0.1:1/', ['secret']],
    ['a percent-encoded password', 'mongodb://user:s%40cret%21@127.0.0.1:1/?directConnection=true', ['s%40cret', 's@cret!']],
  ])('with %s: a refused connection fails every message as retryable and never shows the password', async (_kind, url, secrets) => {
    const sink = createMongoSink({ url, serverSelectionTimeoutMs: 300 });
    const { first, seen } = await writeWithServerDown(sink);
    expect(first).toMatch(/^mongodb \(mongodb:\/\/user:\*\*\*@127\.0\.0\.1:1\/.*\): /);
    for (const s of secrets) expect(seen).not.toContain(s);
    await sink.close();
    await sink.close();
  });

  it('refuses what is not a MongoDB URL, without echoing its password', () => {
    expect(() => createMongoSink({ url: 'postgres://u:secret@h/db' })).toThrow(UsageError);
    expect(() => createMongoSink({ url: 'postgres://u:secret@h/db' })).not.toThrow(/secret/);
  });

  it('stops the run at open when the URL has an option no retry can fix', async () => {
    const sink = createMongoSink({ url: 'mongodb://u:secret@127.0.0.1:1/?maxPoolSize=abc' });
    const failure = await sink.open!().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(UsageError);
    expect((failure as Error).message).toMatch(/maxPoolSize/);
    expect((failure as Error).message).not.toContain('secret');
  });

  it('stops the run at open when the database name is invalid', async () => {
    await expect(createMongoSink({ url: 'mongodb://127.0.0.1:1/', database: 'a.b' }).open!()).rejects.toThrow(
      /Database names cannot contain/,
    );
  });

  it('does not write once the run is stopping', async () => {
    const sink = createMongoSink({ url: 'mongodb://127.0.0.1:1/' });
    const r = await sink.write([message('k', 1)], AbortSignal.abort());
    expect(r.failed.map((f) => [f.key, f.retryable, f.error.message])).toEqual([
      ['k', true, 'mongodb (mongodb://127.0.0.1:1/): stopped before writing'],
    ]);
  });
});

describe('MongoDB sink helpers', () => {
  it('builds the document, leaving out what the message does not have', () => {
    const m = { key: 'k', messageId: 'm1', queue: 'q', body: { n: 1 }, raw: '{"n":1}', receiveCount: 3 };
    expect(mongoDocument(m, new Date(0))).toEqual({
      _id: 'k',
      messageId: 'm1',
      queue: 'q',
      body: { n: 1 },
      receiveCount: 3,
      storedAt: new Date(0),
    });
    expect(mongoDocument({ ...m, sentAt: '2026-03-04T05:06:07.000Z', groupId: 'g', attributes: { a: 'b' } }, new Date(0))).toMatchObject({
      sentAt: new Date('2026-03-04T05:06:07.000Z'),
      groupId: 'g',
      attributes: { a: 'b' },
    });
    expect(mongoDocument({ ...m, sentAt: 'not a date' }, new Date(0))).not.toHaveProperty('sentAt');
  });

  it('applies pool and timeout defaults only where neither the options nor the URL chose', () => {
    expect(mongoClientOptions({ url: 'mongodb://h/' })).toMatchObject({
      maxPoolSize: 10,
      serverSelectionTimeoutMS: 10_000,
      connectTimeoutMS: 10_000,
      socketTimeoutMS: 60_000,
      retryWrites: true,
    });
    const fromUrl = mongoClientOptions({ url: 'mongodb://h/?maxPoolSize=50&serverSelectionTimeoutMS=99' });
    expect(fromUrl).not.toHaveProperty('maxPoolSize');
    expect(fromUrl).not.toHaveProperty('serverSelectionTimeoutMS');
    expect(mongoClientOptions({ url: 'mongodb://h/?maxPoolSize=50', maxPoolSize: 5 }).maxPoolSize).toBe(5);
  });

  // The driver's own error class; the write errors have the shape of the server's reply (WriteError is not exported).
  const bulkError = (writeErrors: { index: number; code: number; errmsg: string }[]) =>
    new MongoBulkWriteError(
      { message: writeErrors[0]!.errmsg, code: writeErrors[0]!.code, writeErrors: writeErrors as never },
      {} as never,
    );

  it('maps the write errors of an unordered bulk write to their operations', () => {
    const e = bulkError([
      { index: 1, code: 121, errmsg: 'Document failed validation' },
      { index: 2, code: 11000, errmsg: 'E11000 duplicate key' },
    ]);
    expect(Object.fromEntries(bulkWriteFailures(e, 3)!)).toEqual({
      1: { code: 121, message: 'Document failed validation', retryable: false },
      2: { code: 11000, message: 'E11000 duplicate key', retryable: true },
    });
  });

  it('fails the other writes as retryable when the write concern was not satisfied', () => {
    const e = Object.assign(bulkError([{ index: 0, code: 121, errmsg: 'Document failed validation' }]), {
      err: { code: 64, errmsg: 'waiting for replication timed out' },
    });
    const failures = bulkWriteFailures(e, 2)!;
    expect([failures.get(0)!.retryable, failures.get(1)!.retryable]).toEqual([false, true]);
  });

  it('says "not per document" for a whole-operation error', () => {
    expect(bulkWriteFailures(new MongoBulkWriteError(new Error('connection reset'), {} as never), 2)).toBeUndefined();
    expect(bulkWriteFailures(new Error('socket hang up'), 2)).toBeUndefined();
  });

  const cases: [unknown, boolean][] = [
    [{ name: 'MongoServerSelectionError' }, true],
    [{ name: 'MongoNetworkError' }, true],
    [{ name: 'MongoNetworkTimeoutError' }, true],
    [{ errorLabels: ['RetryableWriteError'], code: 121 }, true], // the driver's label wins
    [{ errorLabels: ['TransientTransactionError'] }, true],
    ...[11600, 91, 189, 10107, 13435, 13436, 112, 16500].map((code): [unknown, boolean] => [{ code }, true]),
    [{ code: 18 }, true], // a refused login is the store's problem, never the message's
    [{ code: 10334 }, false], // BSONObjectTooLarge
    [{ code: 121 }, false], // DocumentValidationFailure
    [{ name: 'BSONError' }, false],
    [{ name: 'MongoInvalidArgumentError', message: 'Document is larger than the maximum size 16777216' }, false],
    [{ code: 999_999 }, true], // unknown: retry rather than DLQ
    ['not an object', true],
  ];
  it.each(cases)('classifies %j as retryable: %s', (e, expected) => expect(isRetryableMongoError(e)).toBe(expected));
});
