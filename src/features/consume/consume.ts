/**
 * `consume`: takes up to N messages by hand. Each is recorded in the ledger with a
 * conditional put (a key already there is a duplicate), handed over (written whole to
 * `--out` and fsynced, or printed and flushed), and only then deleted. A batch that could
 * not be handed over (Ctrl-C, a closed stdout, a full disk) is given back: made visible
 * again at once, its ledger records removed. `peek` records nothing, deletes nothing, and
 * makes the messages visible again at once.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../aws/clients.js';
import type { SqsQueues } from '../../aws/queue.js';
import { queueCounters } from '../../aws/queueCounters.js';
import { drained, type Turn } from '../../core/drain.js';
import { Ledger } from '../../aws/ledger.js';
import { ledgerId, parseConsumer } from '../../core/consumer.js';
import { compileKey } from '../../core/keys.js';
import { entryBatches } from '../../core/batching.js';
import { payloadHook } from '../../pipeline/payloads.js';
import { ExportWriteError, UsageError } from '../../core/errors.js';
import { openLedger, openQueue, type Notify, sqsQueues } from '../../pipeline/resources.js';
import { buildValidator, type SchemaCheck } from '../../pipeline/schema.js';
import { checkPath, openAppendFile, type AppendFile } from '../../pipeline/exportFile.js';
import { intake, untaken, type IntakeDeps, type Taken } from './intake.js';
import { DEFAULTS } from '../../config.js';

export interface ConsumeOptions {
  queue: string;
  /** At most this many messages. */
  count: number;
  /** Look without taking: no ledger, no delete, visible again at once. @default false */
  peek?: boolean;
  /**
   * Long-poll wait, for the first message (and for messages the queue's counters say are coming);
   * once messages flow, the run ends when an empty receive finds the queue's counters empty. @default 5
   */
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
  /**
   * Shows each batch before its delete (the CLI prints it): resolves once the copy is out. A throw
   * stops the run; the batch is deleted only if `out` already holds it, else given back.
   */
  handOver?: (batch: ConsumedMessage[]) => Promise<void>;
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

/** `released`: taken but not handed over when the run stopped, so given back (visible again, recorded nowhere). */
export type ConsumedStatus = 'recorded' | 'duplicate' | 'peeked' | 'failed' | 'released';

export interface ConsumedMessage {
  messageId: string;
  key: string;
  receiveCount: number;
  sentAt: string | undefined;
  body: string;
  status: ConsumedStatus;
  /** False when the message is still on the queue (peeked, failed, released, or its delete failed). */
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
  /** Received; each is then handed over, failed (left on the queue) or released. */
  taken: number;
  /** Printed or exported whole (recorded or duplicate; peeked when peeking). */
  handedOver: number;
  recorded: number;
  duplicates: number;
  deleted: number;
  /** Left on the queue because a check failed (no key, schema, missing payload, a key leased elsewhere). */
  failed: number;
  /** Taken when the run stopped and not handed over: made visible again (or back after the visibility timeout). */
  released: number;
  /** Why the run ended before `count`: "interrupted", or the write that failed. */
  stoppedBy?: string;
  /** The queue's approximate depth after a run that stopped early. */
  left?: { visible: number; inFlight: number };
  /** ReceiveMessage calls made. */
  receives: number;
}

/** Resolves once the stream has taken the text (its callback), so a delete never runs ahead of the export. */
function writeFlushed(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (e?: Error | null) => (e ? reject(e) : resolve())));
}

/** Why a batch was not (or not all) handed over: the stop reason and whether `--out` holds it anyway. */
interface Stop {
  reason: string;
  inFile: boolean;
}

function isClosedPipe(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/** What one run holds open, and the rules every message of it is taken by. */
interface Run {
  options: ConsumeOptions;
  queue: { name: string; url: string };
  ledger: Ledger | undefined;
  /** Receives stop at Ctrl-C. */
  queues: SqsQueues;
  /** Deletes and give-backs run to the end after Ctrl-C. */
  steady: SqsQueues;
  out: AppendFile | undefined;
  schema: SchemaCheck;
  deps: IntakeDeps;
}

/** What the run has taken so far, and why it stopped. */
interface Progress {
  taken: Taken[];
  stoppedBy?: string;
  receives: number;
}

export async function consume(clients: AwsClients, options: ConsumeOptions): Promise<ConsumeResult> {
  const run = await openRun(clients, options);
  const progress: Progress = { taken: [], receives: 0 };
  try {
    await takeAll(run, progress);
  } finally {
    await run.out?.close();
    // Peeked messages: visible again at once, whatever happened above.
    if (run.deps.peek)
      await makeVisible(
        run.steady,
        run.queue.url,
        progress.taken.filter((r) => r.status === 'peeked'),
      );
  }
  const { taken, stoppedBy, receives } = progress;
  const left = stoppedBy ? await depth(run.steady, run.queue.url) : undefined;
  return { ...summarise(run.queue.name, run.deps.consumer, run.deps.peek, run.schema.applied, taken, stoppedBy, left), receives };
}

/** Checks the options, then opens the queue, the ledger and `--out`: bad input fails before anything is taken. */
async function openRun(clients: AwsClients, options: ConsumeOptions): Promise<Run> {
  const { count, peek = false, ttlDays = Number(DEFAULTS['process-sqs'].ttlDays), signal } = options;
  if (!Number.isInteger(count) || count < 1) throw new UsageError('--count must be a whole number of 1 or more');
  if (options.out !== undefined) checkPath(options.out, '--out');
  const keyOf = compileKey(options.key);
  if (options.consumer !== undefined) parseConsumer(options.consumer);
  const schema: SchemaCheck = options.schema ?? (peek ? { applied: 'none' } : await buildValidator({ kind: 'templates' }));
  const common = { signal, notify: options.notify, createIfLocal: true };
  const queue = await openQueue(clients, options.queue, { ...common, createIfLocal: false });
  const opened = peek ? undefined : await openLedger(clients, options.ledgerTable, common);
  // Records, removals and deletes run to the end after Ctrl-C: only receives and reads stop at once.
  const ledger = opened && new Ledger(await clients.dynamodb(), opened.table, undefined, clients.endpointOf('dynamodb'));
  const queues = await sqsQueues(clients, signal);
  const steady = await sqsQueues(clients);
  const out: AppendFile | undefined = options.out !== undefined ? await openAppendFile(options.out, '--out') : undefined;
  const payloads = payloadHook(clients, { keep: options.keepPayloads, signal });
  const consumer = options.consumer ?? queue.name;
  const deps: IntakeDeps = { peek, queueName: queue.name, consumer, ttlDays, keyOf, schema, ledger, payloads };
  return { options, queue, ledger, queues, steady, out, schema, deps };
}

/** Takes batches until `count`, a stop, or an emptied queue. */
async function takeAll(run: Run, progress: Progress): Promise<void> {
  const { count } = run.options;
  // Long polls wait for work; once messages flow, an empty short receive asks the counters (core/drain.ts).
  let turn: Turn = 'long';
  while (progress.taken.length < count && progress.stoppedBy === undefined) {
    const batch = await receiveBatch(run, progress, turn);
    if (!batch) {
      progress.stoppedBy = 'interrupted';
      break;
    }
    if (batch.length === 0) {
      if (turn === 'long') break; // one whole wait brought nothing
      // What this run left on the queue (peeked, failed) is hidden by it: not more to come.
      const held = progress.taken.filter((r) => !r.deleted).length;
      if (drained(await queueCounters(run.steady, run.queue.url), held)) break;
      turn = 'long';
      continue;
    }
    turn = 'short';
    await takeBatch(run, progress, batch);
  }
}

/** The next batch, or undefined when the run was interrupted (before or during the receive). */
async function receiveBatch(run: Run, progress: Progress, turn: Turn): Promise<Message[] | undefined> {
  const { signal, count, waitSeconds = DEFAULTS.consume.wait } = run.options;
  if (signal?.aborted) return undefined;
  try {
    progress.receives++;
    return await run.queues.receive(run.queue.url, {
      max: count - progress.taken.length,
      waitSeconds: turn === 'short' ? 0 : waitSeconds,
      // Peeked messages stay hidden while we collect, so one run never shows a message twice.
      ...(run.deps.peek ? { visibilityTimeout: Math.max(30, waitSeconds * 4) } : {}),
    });
  } catch (e: unknown) {
    if (!signal?.aborted) throw e;
    return undefined;
  }
}

/** Reads, records and hands over one batch, then deletes it; gives it back when it was not handed over whole. */
async function takeBatch(run: Run, progress: Progress, batch: Message[]): Promise<void> {
  const rows: Taken[] = [];
  let stop: Stop | undefined;
  try {
    for (const m of batch) rows.push(await intake(m, run.deps));
    stop = await handOver(run, rows);
  } catch (e: unknown) {
    if (!run.options.signal?.aborted) {
      progress.taken.push(...(await giveBack(run, batch, rows)));
      throw e;
    }
    stop = { reason: 'interrupted', inFile: false };
  }
  if (stop && !stop.inFile) {
    progress.taken.push(...(await giveBack(run, batch, rows)));
    progress.stoppedBy = stop.reason;
    return;
  }
  if (!run.deps.peek) await deleteHandedOver(run, rows);
  progress.taken.push(...rows);
  progress.stoppedBy = stop?.reason;
  run.options.onProgress?.({ received: progress.taken.length, count: run.options.count });
}

/** Hands a batch over; returns why it stopped short, if it did. */
async function handOver(run: Run, rows: Taken[]): Promise<Stop | undefined> {
  const { signal, outStream } = run.options;
  if (signal?.aborted) return { reason: 'interrupted', inFile: false };
  const records = rows.map((r) => r.record);
  try {
    // The export is a store too: whole and on disk before anything is deleted.
    await run.out?.append(records);
  } catch (e: unknown) {
    if (e instanceof ExportWriteError) return { reason: e.message, inFile: false };
    throw e;
  }
  try {
    if (outStream) await writeFlushed(outStream, `${records.join('\n')}\n`);
    await run.options.handOver?.(rows.map(shown));
  } catch (e: unknown) {
    if (!isClosedPipe(e)) throw e;
    return { reason: 'stdout was closed by its reader', inFile: run.out !== undefined };
  }
  return undefined;
}

/** A row as the caller sees it: no receipt handle, record or pointer. */
function shown({ receiptHandle: _r, record: _c, pointer: _p, ...row }: Taken): ConsumedMessage {
  return row;
}

/** Deletes what was handed over (recorded or a duplicate); a large payload's object goes with its message. */
async function deleteHandedOver({ steady, queue, deps, options }: Run, rows: Taken[]): Promise<void> {
  const toDelete = rows.filter((r) => r.status === 'recorded' || r.status === 'duplicate');
  const result = await steady.deleteBatch(
    queue.url,
    toDelete.map((r, i) => ({ id: String(i), receiptHandle: r.receiptHandle })),
  );
  for (const id of result.successful) toDelete[Number(id)]!.deleted = true;
  for (const r of toDelete) {
    if (!r.deleted || !r.pointer) continue;
    const pointer = r.pointer;
    await deps.payloads
      .release(pointer)
      .catch((e: unknown) => options.notify?.(`${pointer.key}: large payload not deleted (${(e as Error).message})`));
  }
  for (const f of result.failed)
    toDelete[Number(f.id)]!.error = `handed over but not deleted: ${f.code}; it will come back and be skipped as a duplicate`;
}

/**
 * Gives back a batch that was not handed over: its ledger records (this run's, not a
 * duplicate's) removed, then every message made visible again at once. Returns its rows, released.
 */
async function giveBack({ steady, queue, ledger, deps }: Run, batch: Message[], rows: Taken[]): Promise<Taken[]> {
  const ours = rows.filter((r) => r.status === 'recorded').map((r) => ledgerId({ consumer: deps.consumer, key: r.key }));
  const all = batch.map((m, i) => rows[i] ?? untaken(m));
  try {
    // Removed first: a message visible again while its record still said COMPLETED would be skipped as a duplicate.
    if (ledger && ours.length) await ledger.deleteKeys(ours);
  } finally {
    await makeVisible(steady, queue.url, all);
  }
  for (const r of all) {
    r.status = 'released';
    r.error = 'not handed over when the run stopped; visible on the queue again';
  }
  return all;
}

/** Visible again at once; one that cannot be comes back by itself after its visibility timeout. */
async function makeVisible(steady: SqsQueues, url: string, rows: Taken[]): Promise<void> {
  const entries = rows.map((r, i) => ({ id: String(i), receiptHandle: r.receiptHandle, visibilityTimeout: 0 }));
  for (const chunk of entryBatches(entries)) await steady.changeVisibilityBatch(url, chunk).catch(() => undefined);
}

async function depth(steady: SqsQueues, url: string): Promise<{ visible: number; inFlight: number }> {
  const a = await steady.attributes(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
  return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) };
}

function summarise(
  queue: string,
  consumer: string,
  peek: boolean,
  schema: string,
  taken: Taken[],
  stoppedBy: string | undefined,
  left: ConsumeResult['left'],
): Omit<ConsumeResult, 'receives'> {
  const messages = taken.map(shown);
  const count = (status: ConsumedStatus) => messages.filter((m) => m.status === status).length;
  const recorded = count('recorded');
  const duplicates = count('duplicate');
  return {
    queue,
    consumer,
    peek,
    schema,
    messages,
    taken: messages.length,
    handedOver: peek ? count('peeked') : recorded + duplicates,
    recorded,
    duplicates,
    deleted: messages.filter((m) => m.deleted).length,
    failed: count('failed'),
    released: count('released'),
    ...(stoppedBy ? { stoppedBy } : {}),
    ...(left ? { left } : {}),
  };
}
