/**
 * The S3 sink: one object per message at `prefix/yyyy/mm/dd/<key>.json` (the date is
 * the message's SentTimestamp, so a redelivery on another day rewrites the same
 * object), or one NDJSON object per batch with mode "batch".
 */
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import type { Sink, SinkMessage, SinkResult } from '../../../pipeline/sink.js';
import { sdkErrorName } from '../../../aws/errors.js';
import { ObjectStore } from '../../../aws/objects.js';

export interface S3SinkOptions {
  s3: S3Client;
  bucket: string;
  /** @default "messages" */
  prefix?: string;
  /** @default "object" */
  mode?: 'object' | 'batch';
  /** Parallel PutObject calls in object mode. @default 16 */
  concurrency?: number;
}

/** Errors that mean the request itself is wrong: retrying the same object cannot help. */
const PERMANENT = new Set(['InvalidArgument', 'InvalidObjectName', 'KeyTooLongError', 'EntityTooLarge', 'MalformedXML']);

function datePath(m: SinkMessage): string {
  const d = m.sentAt ? new Date(m.sentAt) : new Date();
  return `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
}

export function objectKeyFor(prefix: string, m: SinkMessage): string {
  // Keys may hold "/" or "#": encode so one message is always one object name.
  return `${prefix.replace(/\/+$/, '')}/${datePath(m)}/${encodeURIComponent(m.key)}.json`;
}

export function s3Document(m: SinkMessage): string {
  return JSON.stringify({
    key: m.key,
    messageId: m.messageId,
    queue: m.queue,
    sentAt: m.sentAt,
    receiveCount: m.receiveCount,
    groupId: m.groupId,
    attributes: m.attributes,
    body: m.body,
  });
}

export function createS3Sink(options: S3SinkOptions): Sink {
  const { s3, bucket, prefix = 'messages', mode = 'object' } = options;
  const limit = pLimit(options.concurrency ?? 16);
  const store = new ObjectStore(s3);
  const put = (key: string, body: string, signal?: AbortSignal) =>
    store.putObject(bucket, key, body, mode === 'batch' ? 'application/x-ndjson' : 'application/json', signal);

  return {
    name: 's3',
    async write(batch, signal): Promise<SinkResult> {
      if (batch.length === 0) return { succeeded: [], failed: [] };
      if (mode === 'batch') {
        // Named by its keys: the same batch redelivered rewrites the same object.
        const id = createHash('sha256')
          .update(
            batch
              .map((m) => m.key)
              .sort()
              .join('\n'),
          )
          .digest('hex')
          .slice(0, 20);
        try {
          await put(
            `${prefix.replace(/\/+$/, '')}/${datePath(batch[0]!)}/batch-${id}.ndjson`,
            `${batch.map(s3Document).join('\n')}\n`,
            signal,
          );
          return { succeeded: batch.map((m) => m.key), failed: [] };
        } catch (e: unknown) {
          const error = e instanceof Error ? e : new Error(String(e));
          return { succeeded: [], failed: batch.map((m) => ({ key: m.key, error, retryable: !PERMANENT.has(sdkErrorName(e)) })) };
        }
      }
      const result: SinkResult = { succeeded: [], failed: [] };
      await Promise.all(
        batch.map((m) =>
          limit(async () => {
            try {
              await put(objectKeyFor(prefix, m), s3Document(m), signal);
              result.succeeded.push(m.key);
            } catch (e: unknown) {
              result.failed.push({
                key: m.key,
                error: e instanceof Error ? e : new Error(String(e)),
                retryable: !PERMANENT.has(sdkErrorName(e)),
              });
            }
          }),
        ),
      );
      return result;
    },
    async close() {},
  };
}
