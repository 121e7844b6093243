/**
 * `produce`: sends generated or given bodies to a queue in batches of up to 10 that
 * also respect the request byte cap, on `concurrency` parallel lanes. On a FIFO queue
 * every message group stays on one lane, so per-group order survives parallelism.
 * Every `Failed[]` entry is retried (when SQS says it may succeed) or reported: as failed
 * when it surely is not on the queue, as unconfirmed when the server may have stored it.
 * A file is checked whole before anything is sent (importCheck.ts); sendRun.ts sends.
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../aws/clients.js';
import { MAX_REQUEST_BYTES } from '../../core/batching.js';
import { UsageError } from '../../core/errors.js';
import { DEFAULT_THRESHOLD } from '../../core/payloadPointer.js';
import { TEMPLATES, POISON_KINDS, TEMPLATE_ATTRIBUTE, poisonBody, templateMark, type EventTemplate } from '../../core/templates/index.js';
import type { Notify } from '../../pipeline/resources.js';
import { DEFAULTS } from '../../config.js';
import { openDestination, openPayloadBucket, SNS_MAX_BYTES, type Destination } from './destination.js';
import { SendRun } from './sendRun.js';
import { checkInputs, isFifoTarget } from './importCheck.js';
import type { Tracing } from '../../core/tracing.js';
import { resendNote, type FailedSend, type LeftPayload, type UnconfirmedSend } from './outcomes.js';

export type { FailedSend, LeftPayload, UnconfirmedSend };

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
  onProgress?: (p: { sent: number; failed: number; unconfirmed: number; total: number }) => void;
  /** Create the queue if missing (any name), on the local target. @default true */
  createIfLocal?: boolean;
  /** Large payloads: a body over the threshold is stored in this bucket and a pointer is sent (Extended Client format). */
  largePayloadBucket?: string;
  /** Body plus attributes over this many bytes go to S3. @default 1048576 (SQS's limit) */
  largePayloadThreshold?: number;
  /** A span per message, its context in the message attributes. @default off */
  tracing?: Tracing;
}

export interface ProduceResult {
  /** The queue or topic name. */
  queue: string;
  /** Set when the messages were published through SNS. */
  topic?: string;
  queueUrl: string;
  fifo: boolean;
  /** Asked for: sent + failed + unconfirmed. */
  total: number;
  /** Confirmed by SQS. */
  sent: number;
  /** Surely not on the queue: never sent, or refused. */
  failed: FailedSend[];
  /** May be on the queue: the server got the request but its answer was an error or never came. */
  unconfirmed: UnconfirmedSend[];
  /** With unconfirmed messages: what resending them does on this queue. */
  resend?: string;
  /** Large-payload objects still in S3 whose message was not confirmed sent. */
  payloadsLeft: LeftPayload[];
  injected: { duplicates: number; invalid: number };
  durationMs: number;
  messagesPerSecond: number;
  /** Set when the run stopped early (Ctrl-C or a fatal error); unsent messages are in `failed`. */
  stoppedBy?: string;
}

/** Generates bodies from a template, with injected duplicates and poison. */
async function* generatedInputs(
  options: ProduceOptions,
  template: EventTemplate,
  injected: ProduceResult['injected'],
  stopped: () => boolean,
): AsyncGenerator<ProduceInput> {
  // The English locale alone: the package root loads every locale, several times the start-up.
  const { faker } = await import('@faker-js/faker/locale/en');
  if (options.seed !== undefined) faker.seed(options.seed);
  const count = options.count ?? DEFAULTS.produce.count;
  const seen: string[] = [];
  const next = template.create(faker);
  for (let i = 0; i < count; i++) {
    const source = `#${i + 1}`;
    // Once stopped, the rest are only counted as not sent: making 200,000 fake events first would hold Ctrl-C for seconds.
    if (stopped()) {
      yield { body: '', source };
      continue;
    }
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

export async function produce(clients: AwsClients, options: ProduceOptions): Promise<ProduceResult> {
  const started = performance.now();
  const template = templateOf(options);
  const threshold = options.largePayloadThreshold ?? DEFAULT_THRESHOLD;
  // Check every record before sending any (or creating anything): a file with one bad record sends nothing.
  if (options.inputs) checkImport(options.inputs, options, threshold);
  const queue = await openDestination(clients, options);
  const bucket = options.largePayloadBucket;
  const payloads = bucket ? await openPayloadBucket(clients, bucket, options) : undefined;
  if (!queue.fifo && (options.groupBy || options.dedupId)) {
    throw new UsageError(`--group-by and --dedup-id apply to FIFO queues and topics only; ${queue.name} is standard`);
  }
  const dedupMode = options.dedupId ?? (queue.contentBasedDeduplication ? 'content' : 'hash');
  const total = options.inputs?.length ?? options.count ?? DEFAULTS.produce.count;
  const run = new SendRun({
    queue,
    options,
    concurrency: options.concurrency ?? DEFAULTS.produceConcurrency,
    payloads: payloads && { store: payloads.store, bucket: bucket!, threshold },
    attributes: options.inputs ? undefined : generatedAttributes(template),
    dedupMode,
    total,
  });
  const injected = { duplicates: 0, invalid: 0 };
  await run.sendAll(options.inputs ? fromArray(options.inputs) : generatedInputs(options, template, injected, () => run.stopped()));
  await run.outcomes.cleanUp(payloads?.cleanup);
  run.progress();
  return resultOf(run, queue, { total, dedupMode, injected, started });
}

function templateOf(options: ProduceOptions): EventTemplate {
  const template = TEMPLATES[options.template ?? 'order'];
  if (!template)
    throw new UsageError(`unknown template "${options.template}"`, { hint: `use one of: ${Object.keys(TEMPLATES).join(', ')}` });
  return template;
}

/** Generated events (poison included) carry their template and version, so consumers can check them against its schema. */
function generatedAttributes(template: EventTemplate): Record<string, MessageAttributeValue> {
  return {
    eventType: { DataType: 'String', StringValue: 'OrderCreated' },
    [TEMPLATE_ATTRIBUTE]: { DataType: 'String', StringValue: templateMark(template) },
  };
}

function resultOf(
  { outcomes, stoppedBy }: SendRun,
  queue: Destination,
  { total, dedupMode, injected, started }: { total: number; dedupMode: string; injected: ProduceResult['injected']; started: number },
): ProduceResult {
  const durationMs = performance.now() - started;
  return {
    queue: queue.name,
    ...(queue.topic ? { topic: queue.name } : {}),
    queueUrl: queue.url,
    fifo: queue.fifo,
    total,
    sent: outcomes.sent,
    failed: outcomes.failed,
    unconfirmed: outcomes.unconfirmed,
    ...(outcomes.unconfirmed.length > 0 ? { resend: resendNote(queue.fifo, dedupMode) } : {}),
    payloadsLeft: outcomes.payloadsLeft,
    injected,
    durationMs,
    messagesPerSecond: durationMs > 0 ? (outcomes.sent * 1000) / durationMs : 0,
    stoppedBy,
  };
}

/** The import check, before the queue is open: FIFO by name, and ids as produce will choose them. */
function checkImport(inputs: ProduceInput[], options: ProduceOptions, threshold: number): void {
  const bucket = options.largePayloadBucket;
  checkInputs(inputs, {
    fifo: isFifoTarget(options.topic ?? options.queue),
    maxBytes: options.topic ? SNS_MAX_BYTES : MAX_REQUEST_BYTES,
    limit: options.topic ? "SNS's 256 KiB" : "SQS's 1 MiB",
    groupBy: options.groupBy,
    dedupMode: options.dedupId ?? 'hash',
    largePayload: bucket ? { bucket, threshold } : undefined,
  });
}
