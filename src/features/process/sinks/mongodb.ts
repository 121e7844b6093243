/**
 * The MongoDB sink (official driver): one pooled client per sink; each batch is one
 * unordered bulkWrite of replaceOne-upserts keyed `_id = key`, so a redelivery rewrites
 * its document and never adds a second. Per-document write errors map back to keys.
 */
import type { AnyBulkWriteOperation, Collection, Document, MongoClient, MongoClientOptions } from 'mongodb';
import { UsageError } from '../../../core/errors.js';
import { errorCode, isRetryableMongoError, report, type Failure } from './errors.js';
import { LazyConnection, sinkErrors, type SinkErrors } from './connection.js';
import { addSecret, redact, secretsOf } from '../../../core/redact.js';
import { lastPerKey, type Sink, type SinkMessage, type SinkResult } from '../../../pipeline/sink.js';

export interface MongoSinkOptions {
  /** `mongodb://` or `mongodb+srv://`; driver options in its query string are honoured. */
  url: string;
  /** @default "sqsops" */
  database?: string;
  /** @default "messages" */
  collection?: string;
  /** Connections per sink. @default 10 */
  maxPoolSize?: number;
  /** How long a write waits for a usable server before failing (retryable). @default 10000 */
  serverSelectionTimeoutMs?: number;
  /** @default 10000 */
  connectTimeoutMs?: number;
  /** A reply slower than this closes the socket, so a hung server cannot stall a poller. @default 60000 */
  socketTimeoutMs?: number;
}

export interface MessageDocument extends Document {
  _id: string;
}

export function mongoDocument(m: SinkMessage, now = new Date()): MessageDocument {
  const sentAt = m.sentAt ? new Date(m.sentAt) : undefined;
  return {
    _id: m.key,
    messageId: m.messageId,
    queue: m.queue,
    body: m.body,
    receiveCount: m.receiveCount,
    // An invalid date would be stored as NaN: leave it out like a missing one.
    ...(sentAt && !Number.isNaN(sentAt.getTime()) ? { sentAt } : {}),
    groupId: m.groupId,
    attributes: m.attributes,
    storedAt: now,
  };
}

/** Our defaults only where neither the options nor the URL's query string chose (the driver lets options win). */
export function mongoClientOptions(o: MongoSinkOptions): MongoClientOptions {
  let inUrl = new Set<string>();
  try {
    inUrl = new Set([...new URL(o.url).searchParams.keys()].map((k) => k.toLowerCase()));
  } catch {
    // mongodb+srv URLs with several hosts are not WHATWG URLs; the defaults apply.
  }
  const pick = (name: string, given: number | undefined, fallback: number) =>
    given !== undefined ? { [name]: given } : inUrl.has(name.toLowerCase()) ? {} : { [name]: fallback };
  return {
    appName: 'sqsops',
    retryWrites: true,
    ...pick('maxPoolSize', o.maxPoolSize, 10),
    ...pick('serverSelectionTimeoutMS', o.serverSelectionTimeoutMs, 10_000),
    ...pick('connectTimeoutMS', o.connectTimeoutMs, 10_000),
    ...pick('socketTimeoutMS', o.socketTimeoutMs, 60_000),
  };
}

const BAD_VALUE = 2;

/**
 * Per-document outcomes of a failed unordered bulkWrite, by operation index; undefined
 * when the error is not about single documents (the whole write failed).
 */
export function bulkWriteFailures(
  e: unknown,
  size: number,
): Map<number, { code: number | undefined; message: string; retryable: boolean }> | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const raw = (e as { writeErrors?: unknown }).writeErrors;
  const writeErrors = (Array.isArray(raw) ? raw : raw ? [raw] : []) as { index?: unknown; code?: unknown; errmsg?: unknown }[];
  if (writeErrors.length === 0) return undefined;
  const out = new Map<number, { code: number | undefined; message: string; retryable: boolean }>();
  for (const w of writeErrors) {
    if (typeof w.index !== 'number') return undefined;
    const code = typeof w.code === 'number' ? w.code : undefined;
    // BadValue on one upsert of a bulk is that document's content (FerretDB refuses nested arrays, '$' and '.' in
    // field names with it); as a whole-operation error it stays retryable, since a bad option would fail every document.
    const retryable = code === BAD_VALUE ? false : isRetryableMongoError(w);
    out.set(w.index, { code, message: typeof w.errmsg === 'string' ? w.errmsg : `write error ${code}`, retryable });
  }
  // A write concern error means the other writes are not known to be durable: retry them.
  const result = (e as { result?: { getWriteConcernError?: () => unknown } }).result;
  const concern = (e as { err?: unknown }).err ?? result?.getWriteConcernError?.();
  if (concern) {
    for (let i = 0; i < size; i++)
      if (!out.has(i)) out.set(i, { code: undefined, message: 'write concern not satisfied', retryable: true });
  }
  return out;
}

export function createMongoSink(options: MongoSinkOptions): Sink {
  // Registered, so the password is masked in any text, a driver's stack printed by --debug included.
  addSecret(...secretsOf(options.url));
  const where = redact(options.url);
  if (!/^mongodb(\+srv)?:\/\//i.test(options.url)) {
    throw new UsageError(`"${where}" is not a MongoDB URL`, { hint: 'use mongodb://user:password@host:27017/ or mongodb+srv://...' });
  }
  const errors = sinkErrors('mongodb', where);
  const connection = new LazyConnection(
    () => connectMongo(options, where),
    ({ client }) => client.close(),
  );
  return {
    name: 'mongodb',
    open: () => connection.open(),
    async write(batch, signal): Promise<SinkResult> {
      const unique = lastPerKey(batch);
      if (unique.length === 0) return { succeeded: [], failed: [] };
      const failures = new Map<string, Failure>();
      const failAll = (f: Failure) => {
        for (const m of unique) failures.set(m.key, f);
      };
      if (signal?.aborted) {
        failAll({ error: errors.describe('stopped before writing'), retryable: true });
        return report(batch, failures);
      }
      const now = new Date();
      let coll: Collection<MessageDocument>;
      try {
        coll = (await connection.get()).coll;
      } catch (e: unknown) {
        // Unreachable, refused login or a bad URL option: never the message's fault.
        failAll({ error: errors.fromError(e), retryable: true });
        return report(batch, failures);
      }
      await upsertAll(coll, unique, now, failures, errors);
      return report(batch, failures);
    },
    close: () => connection.close(),
  };
}

interface Mongo {
  client: MongoClient;
  coll: Collection<MessageDocument>;
}

async function connectMongo(options: MongoSinkOptions, where: string): Promise<Mongo> {
  const { MongoClient } = await import('mongodb');
  let client: MongoClient;
  let coll: Collection<MessageDocument>;
  try {
    client = new MongoClient(options.url, mongoClientOptions(options));
    coll = client.db(options.database ?? 'sqsops').collection<MessageDocument>(options.collection ?? 'messages');
  } catch (e: unknown) {
    // MongoParseError or an invalid database name: nothing a retry can fix.
    throw new UsageError(`mongodb (${where}): ${redact(e instanceof Error ? e.message : String(e))}`, {
      hint: 'percent-encode the user and password, check the options in the query string and the database name',
    });
  }
  try {
    await client.connect();
  } catch (e: unknown) {
    await client.close().catch(() => undefined);
    throw e;
  }
  return { client, coll };
}

/** One unordered bulk of upserts; when it fails, which documents failed goes into `failures`. */
async function upsertAll(
  coll: Collection<MessageDocument>,
  unique: SinkMessage[],
  now: Date,
  failures: Map<string, Failure>,
  errors: SinkErrors,
): Promise<void> {
  const ops: AnyBulkWriteOperation<MessageDocument>[] = unique.map((m) => ({
    replaceOne: { filter: { _id: m.key }, replacement: mongoDocument(m, now), upsert: true },
  }));
  try {
    await coll.bulkWrite(ops, { ordered: false });
  } catch (e: unknown) {
    const perDocument = bulkWriteFailures(e, unique.length);
    if (perDocument && unique.length === 1) {
      const w = perDocument.get(0);
      if (w) failures.set(unique[0]!.key, { error: errors.describe(w.message, w.code), retryable: w.retryable });
    } else if (!perDocument && (isRetryableMongoError(e) || unique.length === 1)) {
      const all: Failure = { error: errors.fromError(e), retryable: isRetryableMongoError(e) };
      for (const m of unique) failures.set(m.key, all);
    } else {
      // Write each document alone (upserts, so a rewrite is harmless) to learn exactly which failed. A bulk's
      // writeErrors may not name them all: FerretDB 1.24 reports only the first, always at index 0. And one
      // document the driver refuses (BSON, over 16 MB) fails the whole bulk client-side.
      for (const m of unique) {
        const f = await upsertOne(coll, m, now, errors);
        if (f) failures.set(m.key, f);
      }
    }
  }
}

async function upsertOne(coll: Collection<MessageDocument>, m: SinkMessage, now: Date, errors: SinkErrors): Promise<Failure | undefined> {
  try {
    await coll.replaceOne({ _id: m.key }, mongoDocument(m, now), { upsert: true });
    return undefined;
  } catch (e: unknown) {
    // Reached only after the bulk blamed documents: BadValue on this one upsert is its content.
    return { error: errors.fromError(e), retryable: errorCode(e) === BAD_VALUE ? false : isRetryableMongoError(e) };
  }
}
