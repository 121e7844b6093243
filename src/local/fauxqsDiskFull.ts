/**
 * fauxqs 2.4.1 on a full disk. Its SQLite and S3 file writes throw; the routers answer
 * anything not theirs with fastify's bare 500, and a few paths change memory before they
 * write, so an answer of "failed" could leave a message on the queue anyway. Here:
 * - a write that meets a full disk becomes SQS's, SNS's or S3's `ServiceUnavailable` (503);
 * - a SendMessageBatch entry that could not be stored is a `Failed[]` entry, and is not on
 *   the queue; the entries stored before it stay `Successful` (fauxqs failed them all);
 * - a FIFO message that could not be stored leaves no deduplication record behind;
 * - the in-flight bookkeeping of a receive or a visibility change may lag on disk (memory
 *   stays right; after a restart before space is freed such a message is visible early);
 * - a receive that moves a message to its DLQ keeps it in the source queue if the DLQ copy
 *   cannot be stored (fauxqs deleted the row first and lost it);
 * - an S3 object that could not be overwritten keeps its previous files.
 * Left as fauxqs does it: queue, topic and subscription changes and PurgeQueue change memory
 * first, so one answered 503 holds until a restart; SNS Publish may have reached some queues.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join, sep } from 'node:path';
import { isNoSpace, noSpaceMessage } from './noSpace.js';

// biome-ignore lint/suspicious/noExplicitAny: fauxqs's prototypes are untyped JavaScript, wrapped as they are
type Fn = (this: any, ...args: any[]) => any;
type Proto = Record<string, Fn>;
interface Message {
  messageId: string;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  approximateReceiveCount: number;
}
type ErrorClass = new (code: string, message: string, statusCode: number, senderFault?: boolean) => Error;

/** Raised by a guarded write; the routers turn it into their protocol's 503. */
class NoSpace extends Error {}

/** Writes of memory's shadow only: memory is right, and losing them costs at most an early redelivery. */
const BOOKKEEPING = new Set(['updateMessageInflight', 'updateMessageReady']);
const WRITE = /^(insert|delete|update|upsert|save|rename|complete|clear|purge)/;

let applied = false;
/** Set while a SendMessageBatch runs (fauxqs's handler is synchronous): its messages not stored. */
let batchFailures: Map<string, NoSpace> | undefined;
/** Set while a receive runs: the message whose move to the DLQ failed. */
let dequeuing: { failed?: Message } | undefined;

async function fauxqsModule<T>(path: string): Promise<T> {
  return (await import(new URL(path, import.meta.resolve('fauxqs')).href)) as T;
}

/** Applies the guards once per process; `stateDir` is named in every answer. */
export async function applyFauxqsDiskFullGuards(stateDir: string): Promise<void> {
  if (applied) return;
  applied = true;
  const say = () => noSpaceMessage(stateDir);
  const errors = await fauxqsModule<{ SqsError: ErrorClass; SnsError: ErrorClass; S3Error: ErrorClass }>('./common/errors.js');
  const { PersistenceManager } = await fauxqsModule<{ PersistenceManager: { prototype: Proto } }>('./persistence.js');
  const { FileS3Persistence } = await fauxqsModule<{ FileS3Persistence: { prototype: Proto } }>('./s3/fileS3Persistence.js');
  const { SqsQueue } = await fauxqsModule<{ SqsQueue: { prototype: Proto } }>('./sqs/sqsStore.js');
  const { SqsRouter } = await fauxqsModule<{ SqsRouter: { prototype: Proto } }>('./sqs/sqsRouter.js');
  const { SnsRouter } = await fauxqsModule<{ SnsRouter: { prototype: Proto } }>('./sns/snsRouter.js');
  guardSqlite(PersistenceManager.prototype, say);
  guardS3Files(FileS3Persistence.prototype, () => new errors.S3Error('ServiceUnavailable', say(), 503));
  guardQueue(SqsQueue.prototype);
  answerAs(SqsRouter.prototype, (m) => new errors.SqsError('ServiceUnavailable', m, 503, false), say);
  answerAs(SnsRouter.prototype, (m) => new errors.SnsError('ServiceUnavailable', m, 503, false), say);
}

function wrap(proto: Proto, name: string, make: (original: Fn) => Fn): void {
  const original = proto[name];
  if (typeof original === 'function') proto[name] = make(original);
}

function guardSqlite(proto: Proto, say: () => string): void {
  for (const name of Object.getOwnPropertyNames(proto).filter((n) => WRITE.test(n))) {
    wrap(
      proto,
      name,
      (original) =>
        function guarded(this: unknown, ...args: unknown[]) {
          // A receive deletes the row before the DLQ insert; that insert replaces it by message id anyway.
          if (name === 'deleteMessage' && dequeuing) return undefined;
          try {
            return original.apply(this, args);
          } catch (e: unknown) {
            if (!isNoSpace(e)) throw e;
            if (BOOKKEEPING.has(name)) return undefined;
            throw new NoSpace(say(), { cause: e });
          }
        },
    );
  }
}

function guardQueue(proto: Proto): void {
  wrap(
    proto,
    'enqueue',
    (original) =>
      function enqueue(this: { deduplicationCache?: Map<string, { messageId: string }> }, msg: Message) {
        try {
          return original.call(this, msg);
        } catch (e: unknown) {
          if (!(e instanceof NoSpace)) throw e;
          // Not stored: a retry with the same deduplication id must not be taken for a duplicate.
          const dedup = msg.messageDeduplicationId;
          if (dedup && this.deduplicationCache?.get(dedup)?.messageId === msg.messageId) this.deduplicationCache.delete(dedup);
          if (dequeuing) dequeuing.failed = msg;
          else if (batchFailures) return void batchFailures.set(msg.messageId, e);
          throw e;
        }
      },
  );
  wrap(
    proto,
    'dequeue',
    (original) =>
      function dequeue(this: { messages: Message[]; fifoMessages: Map<string, Message[]>; isFifo(): boolean }, ...args: unknown[]) {
        dequeuing = {};
        try {
          return original.apply(this, args);
        } catch (e: unknown) {
          const failed = dequeuing.failed;
          if (failed) putBack(this, failed);
          throw e;
        } finally {
          dequeuing = undefined;
        }
      },
  );
}

/** A message whose move to the DLQ failed goes back to the head of its queue, as it was. */
function putBack(queue: { messages: Message[]; fifoMessages: Map<string, Message[]>; isFifo(): boolean }, msg: Message): void {
  msg.approximateReceiveCount--;
  if (!queue.isFifo()) {
    queue.messages.unshift(msg);
    return;
  }
  const group = msg.messageGroupId ?? '__default';
  queue.fifoMessages.set(group, [msg, ...(queue.fifoMessages.get(group) ?? [])]);
}

interface BatchResult {
  Successful: { Id: string; MessageId?: string }[];
  Failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[];
}

/** Handlers registered from now on answer NoSpace with the router's own 503; SendMessageBatch per entry. */
function answerAs(proto: Proto, toError: (message: string) => Error, say: () => string): void {
  const translate = (e: unknown) => (e instanceof NoSpace ? toError(e.message) : e);
  wrap(
    proto,
    'register',
    (register) =>
      function registerGuarded(this: unknown, action: string, handler: Fn) {
        const guarded = function guardedHandler(this: unknown, ...args: unknown[]) {
          const batch = action === 'SendMessageBatch';
          if (batch) batchFailures = new Map();
          try {
            const result = handler.apply(this, args);
            // ReceiveMessage waits (long polling): its error comes later, through the promise.
            if (result instanceof Promise) return result.catch((e: unknown) => Promise.reject(translate(e)));
            return batch && batchFailures?.size ? perEntry(result as BatchResult, batchFailures, say()) : result;
          } catch (e: unknown) {
            throw translate(e);
          } finally {
            if (batch) batchFailures = undefined;
          }
        };
        return register.call(this, action, guarded);
      },
  );
}

function perEntry(result: BatchResult, failures: Map<string, NoSpace>, message: string): BatchResult {
  const lost = result.Successful.filter((s) => s.MessageId !== undefined && failures.has(s.MessageId));
  return {
    Successful: result.Successful.filter((s) => !lost.includes(s)),
    Failed: [...result.Failed, ...lost.map((s) => ({ Id: s.Id, SenderFault: false, Code: 'ServiceUnavailable', Message: message }))],
  };
}

/** fauxqs's own key-to-file mapping (fileS3Persistence.js `encodeKeyToPath`), for the backup. */
function objectFiles(baseDir: string, bucket: string, key: string): [string, string] {
  const rel = key
    .replace(/[<>:"|?*\\%\x00-\x1f]/g, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .split('/')
    .join(sep);
  const base = join(baseDir, 'buckets', bucket, 'objects', rel);
  return [`${base}.data`, `${base}.meta.json`];
}

function guardS3Files(proto: Proto, toError: () => Error): void {
  for (const name of Object.getOwnPropertyNames(proto).filter((n) => WRITE.test(n))) {
    wrap(
      proto,
      name,
      (original) =>
        function guarded(this: { baseDir: string }, ...args: unknown[]) {
          const [bucket, obj] = args as [string, { key: string }];
          // fauxqs writes the body, then the metadata, over the old ones: set the old ones aside first.
          const files = name === 'upsertObject' ? objectFiles(this.baseDir, bucket, obj.key) : [];
          const kept = files.filter((f) => existsSync(f));
          for (const f of kept) renameSync(f, `${f}.sqsops-old`);
          try {
            const out = original.apply(this, args);
            for (const f of kept) rmSync(`${f}.sqsops-old`, { force: true });
            return out;
          } catch (e: unknown) {
            // A torn metadata file would stop the next start: the new files go, the old come back.
            for (const f of files) rmSync(f, { force: true });
            for (const f of kept) renameSync(`${f}.sqsops-old`, f);
            throw isNoSpace(e) ? toError() : e;
          }
        },
    );
  }
}
