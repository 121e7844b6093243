/**
 * The MongoDB sink (official driver): one pooled client per sink; each batch is one
 * unordered bulkWrite of replaceOne-upserts keyed `_id = key`, so a redelivery rewrites
 * its document and never adds a second. Per-document write errors map back to keys.
 */
import type { AnyBulkWriteOperation, Document, MongoClient } from 'mongodb';
import type { Sink, SinkMessage, SinkResult } from './types.js';
import { lastPerKey, redactUrl } from './types.js';
import { isRetryableMongoError, scrub } from './dbErrors.js';

export interface MongoSinkOptions {
  url: string;
  /** @default "sqsops" */
  database?: string;
  /** @default "messages" */
  collection?: string;
  /** @default 10 */
  maxPoolSize?: number;
  /** How long to wait for a server before a write fails (then retried later). @default 10000 */
  serverSelectionTimeoutMs?: number;
}

interface MessageDocument extends Document {
  _id: string;
}

export function mongoDocument(m: SinkMessage, now = new Date()): MessageDocument {
  return {
    _id: m.key,
    messageId: m.messageId,
    queue: m.queue,
    body: m.body,
    receiveCount: m.receiveCount,
    ...(m.sentAt ? { sentAt: new Date(m.sentAt) } : {}),
    ...(m.groupId ? { groupId: m.groupId } : {}),
    ...(m.attributes ? { attributes: m.attributes } : {}),
    storedAt: now,
  };
}

export function createMongoSink(options: MongoSinkOptions): Sink {
  let client: MongoClient | undefined;
  const where = redactUrl(options.url);
  const fail = (e: unknown) => new Error(`mongodb (${where}): ${scrub(e instanceof Error ? e.message : String(e), options.url)}`);

  const connect = async (): Promise<MongoClient> => {
    if (client) return client;
    const { MongoClient } = await import('mongodb');
    const c = new MongoClient(options.url, {
      appName: 'sqsops',
      maxPoolSize: options.maxPoolSize ?? 10,
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 10_000,
      retryWrites: true,
    });
    await c.connect();
    client = c;
    return c;
  };

  return {
    name: 'mongodb',
    async open() {
      try {
        await connect();
      } catch (e: unknown) {
        // Not fatal: the store may come back; writes fail (retryable) until it does.
        void e;
      }
    },
    async write(batch): Promise<SinkResult> {
      const unique = lastPerKey(batch);
      if (unique.length === 0) return { succeeded: [], failed: [] };
      const now = new Date();
      // Our _id is the message key (a string), not an ObjectId.
      const ops: AnyBulkWriteOperation<MessageDocument>[] = unique.map((m) => ({ replaceOne: { filter: { _id: m.key }, replacement: mongoDocument(m, now), upsert: true } }));
      try {
        const c = await connect();
        await c.db(options.database ?? 'sqsops').collection<MessageDocument>(options.collection ?? 'messages').bulkWrite(ops, { ordered: false });
        return { succeeded: batch.map((m) => m.key), failed: [] };
      } catch (e: unknown) {
        const writeErrors = (e as { writeErrors?: { index: number; code?: number; errmsg?: string }[] }).writeErrors;
        if (Array.isArray(writeErrors) && writeErrors.length > 0) {
          const bad = new Map(writeErrors.map((w) => [unique[w.index]!.key, w]));
          const result: SinkResult = { succeeded: [], failed: [] };
          for (const m of batch) {
            const w = bad.get(m.key);
            if (!w) result.succeeded.push(m.key);
            // E11000 on an upsert is two writers racing for a new _id: the retry succeeds.
            else result.failed.push({ key: m.key, error: new Error(`mongodb: ${w.errmsg ?? `code ${w.code}`}`), retryable: w.code === 11000 || isRetryableMongoError(w) });
          }
          return result;
        }
        const error = fail(e);
        const retryable = isRetryableMongoError(e);
        return { succeeded: [], failed: batch.map((m) => ({ key: m.key, error, retryable })) };
      }
    },
    async close() {
      await client?.close();
      client = undefined;
    },
  };
}
