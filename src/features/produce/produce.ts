/**
 * `produce`: sends generated or given bodies to a queue in batches of up to 10 that
 * also respect the request byte cap, on `concurrency` parallel lanes. On a FIFO queue
 * every message group stays on one lane, so per-group order survives parallelism.
 * Every `Failed[]` entry is retried (when SQS says it may succeed) or reported.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../aws/clients.js';
import { SqsQueues, type BatchOutcome, type QueueRef, type SendEntry } from '../../aws/queue.js';
import { messageBytes, MAX_REQUEST_BYTES } from '../../core/batching.js';
import { BatchPipe } from '../../core/batchPipe.js';
import { retryRemaining } from '../../core/retry.js';
import { redact } from '../../core/redact.js';
import { getPath } from '../../core/keys.js';
import { ResourceNotFoundError, SqsopsError, UsageError } from '../../core/errors.js';
import type { PayloadStore } from '../../aws/payloads.js';
import { DEFAULT_THRESHOLD, isLarge } from '../../core/payloadPointer.js';
import { offload } from '../payloads/payloads.js';
import { TEMPLATES, POISON_KINDS, TEMPLATE_ATTRIBUTE, poisonBody, templateMark, type EventTemplate } from '../../core/templates/index.js';
import { openQueue, type Notify } from '../setup/resources.js';
import { DEFAULTS } from '../../config.js';

/** One body to send, with where it came from (for error reports). */
export interface ProduceInput {
  body: string;
  /** e.g. "orders.ndjson:12" or "#12". */
  source: string;
  /** Message attributes (from an export record). */
  attributes?: Record<string, MessageAttributeValue>;
  /** FIFO: this group, before --group-by (from an export record). */
  groupId?: string;
  /** FIFO: this deduplication id, before --dedup-id (from an export record). */
  deduplicationId?: string;
}

export interface ProduceOptions {
  /** Queue name or URL. */
  queue: string;
  /** Publish through this SNS topic (name or ARN) instead of sending to `queue`. */
  topic?: string;
  /** Bodies to send; when absent, `count` events are generated from `template`. */
  inputs?: ProduceInput[];
  /** @default 10 */
  count?: number;
  /** @default "order" */
  template?: string;
  /** Makes generated data reproducible. */
  seed?: number;
  /** Batches in flight at once. @default 16 */
  concurrency?: number;
  /** FIFO: the body field whose value is the MessageGroupId. @default one group, "sqsops" */
  groupBy?: string;
  /** FIFO: "hash" (sha256 of the body), "random", or a body field. @default content-based if the queue has it, else "hash" */
  dedupId?: string;
  /** Ratio of generated messages that resend an earlier event (same business key). @default 0 */
  duplicates?: number;
  /** Ratio of generated messages with poison bodies. @default 0 */
  invalid?: number;
  /** Attempts per entry for failures SQS calls retryable. @default 5 */
  maxAttempts?: number;
  signal?: AbortSignal;
  notify?: Notify;
  onProgress?: (p: { sent: number; failed: number; total: number }) => void;
  /** Create the queue if missing (any name), on the local target. @default true */
  createIfLocal?: boolean;
  /** Large payloads: a body over the threshold is stored in this bucket and a pointer is sent (Extended Client format). */
  largePayloadBucket?: string;
  /** Body plus attributes over this many bytes go to S3. @default 1048576 (SQS's limit) */
  largePayloadThreshold?: number;
}

export interface FailedSend {
  source: string;
  code: string;
  reason: string;
}

export interface ProduceResult {
  /** The queue or topic name. */
  queue: string;
  /** Set when the messages were published through SNS. */
  topic?: string;
  queueUrl: string;
  fifo: boolean;
  total: number;
  sent: number;
  failed: FailedSend[];
  injected: { duplicates: number; invalid: number };
  durationMs: number;
  messagesPerSecond: number;
  /** Set when the run stopped early (Ctrl-C or a fatal error); unsent messages are in `failed`. */
  stoppedBy?: string;
}

interface Entry extends SendEntry {
  bytes: number;
  source: string;
  lane: number;
}

function laneOf(groupId: string, lanes: number): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (h * 31 + groupId.charCodeAt(i)) | 0;
  return Math.abs(h) % lanes;
}

/** Generates bodies from a template, with injected duplicates and poison. */
async function* generatedInputs(
  options: ProduceOptions,
  template: EventTemplate,
  injected: ProduceResult['injected'],
): AsyncGenerator<ProduceInput> {
  // The English locale alone: the package root loads every locale, several times the start-up.
  const { faker } = await import('@faker-js/faker/locale/en');
  if (options.seed !== undefined) faker.seed(options.seed);
  const count = options.count ?? 10;
  const seen: string[] = [];
  const next = template.create(faker);
  for (let i = 0; i < count; i++) {
    const source = `#${i + 1}`;
    const roll = faker.number.float({ min: 0, max: 1 });
    if (seen.length > 0 && roll < (options.duplicates ?? 0)) {
      injected.duplicates++;
      yield { body: faker.helpers.arrayElement(seen), source };
      continue;
    }
    const event = next(i);
    if (roll >= 1 - (options.invalid ?? 0)) {
      injected.invalid++;
      yield { body: poisonBody(POISON_KINDS[injected.invalid % POISON_KINDS.length]!, event, template.keyField), source };
      continue;
    }
    const body = JSON.stringify(event);
    if (seen.length < 1000) seen.push(body);
    yield { body, source };
  }
}

async function* fromArray(inputs: ProduceInput[]): AsyncGenerator<ProduceInput> {
  yield* inputs;
}

/** Where produce sends: a queue (SendMessageBatch) or a topic (PublishBatch). */
interface Destination {
  name: string;
  /** Queue URL or topic ARN. */
  url: string;
  topic: boolean;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  /** Request (and message) byte cap: SQS 1 MiB, SNS 256 KiB. */
  maxBytes: number;
  send(entries: Entry[]): Promise<BatchOutcome<{ id: string; messageId: string }>>;
}

async function openDestination(clients: AwsClients, options: ProduceOptions): Promise<Destination> {
  if (options.topic) {
    const { SnsTopics } = await import('../../aws/topic.js');
    const topics = new SnsTopics(await clients.sns(), options.signal, clients.endpointOf('sns'));
    const topic = await topics.resolve(options.topic);
    return {
      name: topic.name,
      url: topic.arn,
      topic: true,
      fifo: topic.fifo,
      contentBasedDeduplication: false,
      maxBytes: SNS_MAX_BYTES,
      send: (entries) => topics.publishBatch(topic.arn, entries),
    };
  }
  const ref: QueueRef = await openQueue(clients, options.queue, {
    // produce creates any queue it is told to send to on the local AWS (README, "Missing resources").
    createIfLocal: options.createIfLocal === false ? false : 'any',
    signal: options.signal,
    notify: options.notify,
  });
  const queues = new SqsQueues(await clients.sqs(), options.signal, clients.endpointOf('sqs'));
  return { ...ref, topic: false, maxBytes: MAX_REQUEST_BYTES, send: (entries) => queues.sendBatch(ref.url, entries) };
}

/** The large-payload bucket: created on the local AWS if missing, a named error on AWS. */
async function openPayloadBucket(clients: AwsClients, bucket: string, options: ProduceOptions): Promise<PayloadStore> {
  // S3 is loaded only when large payloads are asked for.
  const [{ ObjectStore }, { PayloadStore: Store }, s3] = await Promise.all([
    import('../../aws/objects.js'),
    import('../../aws/payloads.js'),
    clients.s3(),
  ]);
  const objects = new ObjectStore(s3, options.signal, clients.endpointOf('s3'));
  if (!(await objects.bucketExists(bucket))) {
    if (clients.target.kind !== 'local') {
      const hint = `create it with \`sqsops setup --bucket ${bucket}\``;
      throw new ResourceNotFoundError(`large-payload bucket "${bucket}" does not exist`, { hint });
    }
    await objects.createBucket(bucket, clients.target.region);
    options.notify?.(`created bucket ${bucket} on the local AWS`);
  }
  return new Store(s3, options.signal, clients.endpointOf('s3'));
}

/** SNS: 256 KiB per message and per PublishBatch request. */
const SNS_MAX_BYTES = 256 * 1024;

export async function produce(clients: AwsClients, options: ProduceOptions): Promise<ProduceResult> {
  const started = performance.now();
  const concurrency = options.concurrency ?? DEFAULTS.produceConcurrency;
  const maxAttempts = options.maxAttempts ?? 5;
  const template = TEMPLATES[options.template ?? 'order'];
  if (!template)
    throw new UsageError(`unknown template "${options.template}"`, { hint: `use one of: ${Object.keys(TEMPLATES).join(', ')}` });
  const maxBytes = options.topic ? SNS_MAX_BYTES : MAX_REQUEST_BYTES;
  if (options.inputs && !options.largePayloadBucket) {
    // Check every body before sending any (or creating anything): a file with one bad entry sends nothing.
    const tooBig = options.inputs.filter((i) => Buffer.byteLength(i.body) > maxBytes);
    if (tooBig.length) {
      throw new UsageError(
        `${tooBig[0]!.source}: body is ${Buffer.byteLength(tooBig[0]!.body)} bytes, over ${options.topic ? "SNS's 256 KiB" : "SQS's 1 MiB"} limit${tooBig.length > 1 ? ` (and ${tooBig.length - 1} more)` : ''}`,
        {
          hint: 'pass --large-payload-bucket BUCKET to store large bodies in S3 and send a pointer; nothing was sent',
        },
      );
    }
  }
  const queue = await openDestination(clients, options);
  const payloads = options.largePayloadBucket ? await openPayloadBucket(clients, options.largePayloadBucket, options) : undefined;
  const threshold = options.largePayloadThreshold ?? DEFAULT_THRESHOLD;
  if (!queue.fifo && (options.groupBy || options.dedupId)) {
    throw new UsageError(`--group-by and --dedup-id apply to FIFO queues and topics only; ${queue.name} is standard`);
  }
  const injected = { duplicates: 0, invalid: 0 };
  const inputs = options.inputs ? fromArray(options.inputs) : generatedInputs(options, template, injected);
  const total = options.inputs?.length ?? options.count ?? 10;
  // Generated events (poison included) carry their template and version, so consumers can check them against its schema.
  const attributes: Record<string, MessageAttributeValue> | undefined = options.inputs
    ? undefined
    : {
        eventType: { DataType: 'String', StringValue: 'OrderCreated' },
        [TEMPLATE_ATTRIBUTE]: { DataType: 'String', StringValue: templateMark(template) },
      };
  const dedupMode = options.dedupId ?? (queue.contentBasedDeduplication ? 'content' : 'hash');

  let sent = 0;
  const failed: FailedSend[] = [];
  let stoppedBy: string | undefined;
  const progress = () => options.onProgress?.({ sent, failed: failed.length, total });

  const toEntry = (input: ProduceInput, seq: number): Entry => {
    const entry: Entry = { id: String(seq), body: input.body, source: input.source, bytes: 0, lane: seq % concurrency };
    if (attributes) entry.attributes = attributes;
    if (input.attributes) entry.attributes = input.attributes;
    if (queue.fifo) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(input.body);
      } catch {
        parsed = undefined;
      }
      const group = options.groupBy ? getPath(parsed, options.groupBy) : undefined;
      entry.groupId = input.groupId ?? (group === undefined || group === null || group === '' ? 'sqsops' : String(group).slice(0, 128));
      entry.lane = laneOf(entry.groupId, concurrency);
      if (input.deduplicationId !== undefined) entry.deduplicationId = input.deduplicationId;
      else if (dedupMode === 'hash') entry.deduplicationId = createHash('sha256').update(input.body).digest('hex');
      else if (dedupMode === 'random') entry.deduplicationId = randomUUID();
      else if (dedupMode !== 'content') {
        const v = getPath(parsed, dedupMode);
        entry.deduplicationId =
          v === undefined || v === null ? createHash('sha256').update(input.body).digest('hex') : String(v).slice(0, 128);
      }
    }
    entry.bytes = messageBytes(entry.body, entry.attributes);
    return entry;
  };

  const notSent = (entries: Entry[]) => {
    for (const e of entries) failed.push({ source: e.source, code: 'NotSent', reason: `not sent: ${stoppedBy}` });
  };
  // A user-facing error (no queue, no access) or an interrupt will not heal: it stops everything.
  const stops = (e: unknown) => e instanceof SqsopsError || Boolean(options.signal?.aborted);
  const sendBatch = async (batch: Entry[]): Promise<void> => {
    if (stoppedBy) return notSent(batch);
    const { left, error } = await retryRemaining(
      batch,
      async (pending, attempt) => {
        if (stoppedBy) throw new SqsopsError(stoppedBy);
        const out = await queue.send(pending);
        sent += out.successful.length;
        const byId = new Map(pending.map((e) => [e.id, e]));
        const retry: Entry[] = [];
        for (const f of out.failed) {
          const e = byId.get(f.id);
          if (!e) continue;
          if (!f.senderFault && attempt < maxAttempts) retry.push(e);
          else failed.push({ source: e.source, code: f.code, reason: f.message || f.code });
        }
        progress();
        return retry;
      },
      { maxAttempts, baseMs: 100, capMs: 5000, isFatal: stops },
    );
    if (error !== undefined && (stops(error) || stoppedBy)) {
      stoppedBy ??= options.signal?.aborted ? 'interrupted' : redact(error instanceof Error ? error.message : String(error));
      notSent(left);
    } else if (error !== undefined) {
      const reason = redact(error instanceof Error ? error.message : String(error));
      for (const p of left) failed.push({ source: p.source, code: (error as Error).name || 'Error', reason });
    }
    progress();
  };

  // Generation and sending overlap: workers send ready batches while more are made.
  const pipe = new BatchPipe<Entry>(queue.fifo ? concurrency : 1, concurrency * 2, undefined, queue.maxBytes);
  const workers = Array.from({ length: concurrency }, async (_, i) => {
    for (let batch = await pipe.take(queue.fifo ? i : 0); batch; batch = await pipe.take(queue.fifo ? i : 0)) {
      await sendBatch(batch);
    }
  });
  let seq = 0;
  for await (const input of inputs) {
    if (options.signal?.aborted) stoppedBy ??= 'interrupted';
    if (stoppedBy) {
      failed.push({ source: input.source, code: 'NotSent', reason: `not sent: ${stoppedBy}` });
      continue;
    }
    const entry = toEntry(input, seq++);
    if (payloads && isLarge(entry.bytes, threshold)) {
      try {
        const pointer = await offload(payloads, entry, { bucket: options.largePayloadBucket!, threshold });
        if (pointer) Object.assign(entry, pointer, { bytes: messageBytes(pointer.body, pointer.attributes) });
      } catch (e: unknown) {
        if (e instanceof SqsopsError) stoppedBy ??= e.message;
        failed.push({ source: entry.source, code: 'PayloadNotStored', reason: `large payload not stored in S3: ${(e as Error).message}` });
        continue;
      }
    }
    if (entry.bytes > queue.maxBytes) {
      failed.push({
        source: entry.source,
        code: 'TooLarge',
        reason: `${entry.bytes} bytes is over the ${queue.maxBytes / 1024} KiB limit`,
      });
      continue;
    }
    if (pipe.add(queue.fifo ? entry.lane : 0, entry)) await pipe.room();
  }
  pipe.close();
  await Promise.all(workers);
  progress();
  const durationMs = performance.now() - started;
  return {
    queue: queue.name,
    ...(queue.topic ? { topic: queue.name } : {}),
    queueUrl: queue.url,
    fifo: queue.fifo,
    total,
    sent,
    failed,
    injected,
    durationMs,
    messagesPerSecond: durationMs > 0 ? (sent * 1000) / durationMs : 0,
    stoppedBy,
  };
}
