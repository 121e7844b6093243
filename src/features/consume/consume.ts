/**
 * `consume`: takes up to N messages by hand. Each is recorded in the ledger with a
 * conditional put (a key already there is a duplicate), written to `--out` if asked,
 * and only then deleted. `peek` records nothing, deletes nothing, and makes the
 * messages visible again at once.
 */
import { createHash } from 'node:crypto';
import type { Message } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../aws/clients.js';
import { SqsQueues } from '../../aws/queue.js';
import { messageAttributes } from '../../aws/messageAttributes.js';
import type { Ledger } from '../../aws/ledger.js';
import { parseConsumer } from '../../core/consumer.js';
import { compileKey } from '../../core/keys.js';
import { entryBatches } from '../../core/batching.js';
import { toRecord } from '../../core/messageRecord.js';
import { LEGACY_SIZE_ATTRIBUTE, PayloadMissingError, SIZE_ATTRIBUTE, type PayloadPointer } from '../../core/payloadPointer.js';
import { payloadHook } from '../payloads/payloads.js';
import { SqsopsError, UsageError } from '../../core/errors.js';
import { openLedger, openQueue, type Notify } from '../setup/resources.js';
import { buildValidator, type SchemaCheck } from '../process/schema.js';
import { openAppendFile, type AppendFile } from '../move/exportFile.js';

export interface ConsumeOptions {
  queue: string;
  /** At most this many messages. */
  count: number;
  /** Look without taking: no ledger, no delete, visible again at once. @default false */
  peek?: boolean;
  /** Long-poll wait per receive; the run ends when one whole wait brings nothing. @default 5 */
  waitSeconds?: number;
  /** @default "sqsops-ledger" */
  ledgerTable: string;
  /** Idempotency key: "messageId", a body field path, or a template. @default messageId */
  key?: string;
  /** Whose ledger records these are, as process-sqs's (see core/consumer.ts). @default the queue's name */
  consumer?: string;
  /** Append every message as one NDJSON line here, before it is deleted. */
  out?: string;
  /** Or write those lines to this stream (the CLI's `--out -`); each batch is flushed before its delete. */
  outStream?: NodeJS.WritableStream;
  /** Days before a ledger record may expire (DynamoDB TTL). @default 7 */
  ttlDays?: number;
  /** Large payloads: keep the S3 object of a consumed pointer message. @default false (deleted with the message) */
  keepPayloads?: boolean;
  /** What bodies are checked against before they are recorded. @default the template schemas, for marked events */
  schema?: SchemaCheck;
  signal?: AbortSignal;
  notify?: Notify;
  onProgress?: (p: { received: number; count: number }) => void;
}

export type ConsumedStatus = 'recorded' | 'duplicate' | 'peeked' | 'failed';

export interface ConsumedMessage {
  messageId: string;
  key: string;
  receiveCount: number;
  sentAt: string | undefined;
  body: string;
  status: ConsumedStatus;
  /** False when the message is still on the queue (peeked, failed, or its delete failed). */
  deleted: boolean;
  error?: string;
  groupId?: string;
  /** Message attributes by name; binary ones as base64. */
  attributes: Record<string, string>;
}

export interface ConsumeResult {
  queue: string;
  /** The ledger's consumer the messages were recorded for. */
  consumer: string;
  peek: boolean;
  /** The schema applied (see SchemaCheck.applied). */
  schema: string;
  messages: ConsumedMessage[];
  recorded: number;
  duplicates: number;
  deleted: number;
  failed: number;
}

type Described = Pick<ConsumedMessage, 'messageId' | 'receiveCount' | 'sentAt' | 'groupId' | 'attributes'>;

function describe(m: Message): Described {
  const sent = Number(m.Attributes?.SentTimestamp);
  return {
    messageId: m.MessageId ?? '',
    attributes: messageAttributes(m),
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : undefined,
    groupId: m.Attributes?.MessageGroupId,
  };
}

function withoutSizeAttribute(m: Message): Message {
  const { [SIZE_ATTRIBUTE]: _s, [LEGACY_SIZE_ATTRIBUTE]: _l, ...rest } = m.MessageAttributes ?? {};
  return { ...m, MessageAttributes: rest };
}

/** The export record (what `produce --from-file` sends back), with what consume did to it. */
function exportLine(m: Message, row: ConsumedMessage): string {
  const record = toRecord({ messageId: row.messageId, body: row.body, attributes: m.MessageAttributes, systemAttributes: m.Attributes });
  return JSON.stringify({ ...record, key: row.key, status: row.status });
}

/** Resolves once the stream has taken the text (its callback), so a delete never runs ahead of the export. */
function writeFlushed(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (e?: Error | null) => (e ? reject(e) : resolve())));
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export async function consume(clients: AwsClients, options: ConsumeOptions): Promise<ConsumeResult> {
  const { count, peek = false, waitSeconds = 5, ttlDays = 7, signal } = options;
  if (!Number.isInteger(count) || count < 1) throw new UsageError('--count must be a whole number of 1 or more');
  const keyOf = compileKey(options.key);
  if (options.consumer !== undefined) parseConsumer(options.consumer);
  const schema = options.schema ?? (peek ? { applied: 'none' } : await buildValidator({ kind: 'templates' }));
  const invalid = (body: string, m: Message) => {
    const parsed = parseJson(body);
    const attributes = Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']));
    return parsed === undefined ? undefined : schema.validate?.(parsed, attributes);
  };
  const common = { signal, notify: options.notify, createIfLocal: true };
  const queue = await openQueue(clients, options.queue, { ...common, createIfLocal: false });
  const ledger: Ledger | undefined = peek ? undefined : await openLedger(clients, options.ledgerTable, common);
  const consumer = options.consumer ?? queue.name;
  const queues = new SqsQueues(await clients.sqs(), signal, clients.endpointOf('sqs'));

  const out: AppendFile | undefined = options.out ? await openAppendFile(options.out, '--out') : undefined;
  // A pointer message (SQS Extended Client) shows, records and exports its real body.
  const payloads = payloadHook(clients, { keep: options.keepPayloads, signal });
  const pointers = new Map<string, PayloadPointer>();
  const messages: ConsumedMessage[] = [];
  const peeked: { id: string; receiptHandle: string }[] = [];
  try {
    while (messages.length < count && !signal?.aborted) {
      const batch = await queues.receive(queue.url, {
        max: count - messages.length,
        waitSeconds,
        // Peeked messages stay hidden while we collect, so one run never shows a message twice.
        ...(peek ? { visibilityTimeout: Math.max(30, waitSeconds * 4) } : {}),
      });
      if (batch.length === 0) break;
      const rows: (ConsumedMessage & { receiptHandle: string })[] = [];
      const records: string[] = [];
      for (const m of batch) {
        let body = m.Body ?? '';
        const meta = describe(m);
        let missing: string | undefined;
        try {
          const resolved = await payloads.resolve(body, m.MessageAttributes);
          if (resolved) {
            body = resolved.text;
            pointers.set(meta.messageId, resolved.pointer);
          }
        } catch (e: unknown) {
          if (!(e instanceof PayloadMissingError)) throw e;
          missing = e.message;
        }
        const key = keyOf({ messageId: meta.messageId, body: parseJson(body) });
        const schemaError = peek || !key.ok ? undefined : invalid(body, m);
        const row: ConsumedMessage & { receiptHandle: string } = {
          ...meta,
          key: key.ok ? key.key : '',
          body,
          status: 'peeked',
          deleted: false,
          receiptHandle: m.ReceiptHandle ?? '',
        };
        if (peek) {
          peeked.push({ id: String(peeked.length), receiptHandle: row.receiptHandle });
        } else if (missing) {
          row.status = 'failed';
          row.error = `${missing}; left on the queue`;
        } else if (!key.ok) {
          row.status = 'failed';
          row.error = `${key.reason}; left on the queue`;
        } else if (schemaError) {
          row.status = 'failed';
          row.error = `schema: ${schemaError}; left on the queue`;
        } else {
          const recorded = await ledger!.recordIfAbsent({
            consumer,
            key: key.key,
            status: 'COMPLETED',
            queue: queue.name,
            messageId: meta.messageId,
            updatedAt: new Date().toISOString(),
            expiresAt: Math.floor(Date.now() / 1000) + ttlDays * 86_400,
            payloadHash: createHash('sha256').update(body).digest('hex'),
            receiveCount: meta.receiveCount,
            source: 'consume',
          });
          if (recorded === 'inflight') {
            row.status = 'failed';
            row.error = 'another worker holds this key (a live lease); left on the queue';
          } else row.status = recorded;
        }
        rows.push(row);
        // The export holds the real body, so the size attribute of the pointer no longer applies.
        if (out || options.outStream) records.push(exportLine(pointers.has(meta.messageId) ? withoutSizeAttribute(m) : m, row));
      }
      if (out) {
        // The export is a store too: it is on disk before anything is deleted.
        await out.append(records);
      } else if (options.outStream) {
        // The same records as a file export, on stdout; the delete waits until the stream took them.
        try {
          await writeFlushed(options.outStream, `${records.join('\n')}\n`);
        } catch (e: unknown) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code !== 'EPIPE' && code !== 'ERR_STREAM_DESTROYED') {
            throw new UsageError(`cannot write the export: ${(e as Error).message}`, { cause: e });
          }
          // The reader went away (`| head`): not all that was asked is done, and nothing of this batch is deleted.
          const done = messages.filter((m) => m.deleted).length;
          throw new SqsopsError(
            `stdout was closed by its reader after ${done} message${done === 1 ? '' : 's'} were exported and deleted; ` +
              `the ${rows.length} of the last batch stay on the queue`,
            { hint: 'they come back after the visibility timeout (recorded in the ledger, so as duplicates)', cause: e },
          );
        }
      }
      if (!peek) {
        const toDelete = rows.filter((r) => r.status === 'recorded' || r.status === 'duplicate');
        const result = await queues.deleteBatch(
          queue.url,
          toDelete.map((r, i) => ({ id: String(i), receiptHandle: r.receiptHandle })),
        );
        for (const id of result.successful) toDelete[Number(id)]!.deleted = true;
        for (const r of toDelete) {
          const pointer = pointers.get(r.messageId);
          // The object goes only with its message, and only once that is recorded and deleted.
          if (!r.deleted || !pointer) continue;
          await payloads
            .release(pointer)
            .catch((e: unknown) => options.notify?.(`${pointer.key}: large payload not deleted (${(e as Error).message})`));
        }
        for (const f of result.failed)
          toDelete[Number(f.id)]!.error = `recorded but not deleted: ${f.code}; it will come back and be skipped as a duplicate`;
      }
      for (const { receiptHandle: _r, ...row } of rows) messages.push(row);
      options.onProgress?.({ received: messages.length, count });
    }
  } finally {
    await out?.close();
    if (peeked.length) {
      // Visible again at once, whatever happened above.
      for (const chunk of entryBatches(peeked)) {
        await queues.changeVisibilityBatch(
          queue.url,
          chunk.map((p) => ({ ...p, visibilityTimeout: 0 })),
        );
      }
    }
  }
  return {
    queue: queue.name,
    consumer,
    peek,
    schema: schema.applied,
    messages,
    recorded: messages.filter((m) => m.status === 'recorded').length,
    duplicates: messages.filter((m) => m.status === 'duplicate').length,
    deleted: messages.filter((m) => m.deleted).length,
    failed: messages.filter((m) => m.status === 'failed' || (!peek && !m.deleted)).length,
  };
}
