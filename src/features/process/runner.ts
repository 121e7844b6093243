/**
 * `process-sqs`: `concurrency` pollers receive up to 10 messages each (long polling),
 * process them through the shared pipeline, and acknowledge. A heartbeat extends the
 * visibility (and the ledger lease) of messages still being worked on. Stopping (the
 * signal, `count`, or `drain` on an empty queue) stops receiving; what is in flight
 * is finished and acknowledged before the run returns.
 */
import { randomUUID } from 'node:crypto';
import type { Message } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../aws/clients.js';
import { queueCounters } from '../../aws/queueCounters.js';
import { DrainPace, drained, type Turn } from '../../core/drain.js';
import type { Ledger } from '../../aws/ledger.js';
import { parseConsumer } from '../../core/consumer.js';
import { compileKey, type KeyFn } from '../../core/keys.js';
import { Metrics } from '../../core/metrics.js';
import { withPartialResult } from '../../core/errors.js';
import type { Sink } from '../../pipeline/sink.js';
import { openDlq, openLedger, openQueue, type Notify, sqsQueues } from '../../pipeline/resources.js';
import { acknowledge } from './ack.js';
import { ForeignMessages } from './foreign.js';
import { fromSqsMessage, INBOUND_SYSTEM_ATTRIBUTES } from '../../pipeline/inbound.js';
import { buildValidator, type SchemaCheck } from '../../pipeline/schema.js';
import type { ActionLog } from './log.js';
import { payloadHook } from '../../pipeline/payloads.js';
import { countOutcomes, processBatch } from './processBatch.js';
import type { InboundMessage } from '../../pipeline/inbound.js';
import type { Outcome, PipelineConfig } from './types.js';
import type { ProcessObserver } from './observer.js';
import type { PipelineObserver } from '../../core/tracing.js';
import { settle, startTiming } from './observe.js';
import { PollerPool } from './pollerPool.js';
import { queueBacklog, startAutoscaler, type AutoscaleOptions } from './autoscaler.js';

export interface ProcessSqsOptions {
  queue: string;
  /** Parallel pollers. @default 4 */
  concurrency?: number;
  /** Pollers grow and shrink between these bounds to hold the oldest message's age under the target (see autoscaler.ts); starts at min. */
  autoscale?: AutoscaleOptions;
  /** Stop after this many messages have been handled. */
  count?: number;
  /**
   * Stop once the queue is empty: an empty receive and counters that say nothing is visible or
   * delayed and every hidden message is one this run holds; or one whole empty wait (see core/drain.ts).
   */
  drain?: boolean;
  /** Long-poll wait: for the first message, and in a drain for messages the counters say are coming. @default 20 */
  waitSeconds?: number;
  /** Ledger table; false: no ledger. */
  ledgerTable: string | false;
  /** @default messageId */
  key?: string;
  /** What bodies are checked against. @default the built-in template schemas, for events produce marked */
  schema?: SchemaCheck;
  sinks?: Sink[];
  /** DLQ name or URL; default: the queue's redrive policy target. */
  dlq?: string;
  /** Days ledger records are kept. @default 7 */
  ttlDays?: number;
  /** Large payloads: keep the S3 object of a processed pointer message. @default false (deleted) */
  keepPayloads?: boolean;
  /** Claim owner token (a task sink must write to the ledger as the same owner). @default a random UUID */
  owner?: string;
  /** Whose ledger records these are (see core/consumer.ts). @default the queue's name */
  consumer?: string;
  /** Appended to every key, so one ledger can serve two flows over the same messages (the rejects queue). */
  keySuffix?: string;
  /**
   * Only messages this accepts are processed; the rest are made visible again, untouched (not
   * counted as received, logged as `foreign skip`; see foreign.ts). load leaves others' messages alone with it.
   */
  accept?: (m: InboundMessage) => boolean;
  /** Stops receiving; in-flight work still finishes. */
  signal?: AbortSignal;
  notify?: Notify;
  log?: ActionLog;
  metrics?: Metrics;
  onProgress?: (metrics: Metrics) => void;
  /** Hears when the run is connected and each batch it acknowledged (live metrics). */
  observer?: ProcessObserver;
  /** Gets each message once settled, with its stage timings (tracing, load's stage split). */
  stages?: PipelineObserver;
}

const RECEIVE_GRACE_MS = 2000;

export interface ProcessSqsResult {
  queue: string;
  /** The ledger's consumer the run processed for. */
  consumer: string;
  dlq?: string;
  handled: number;
  /** The schema applied (see SchemaCheck.applied). */
  schema: string;
  durationMs: number;
  messagesPerSecond: number;
  metrics: Record<string, number>;
  /** Why the first retried message was retried (a sink's or the ledger's error), if one was. */
  retryReason?: string;
  /** ReceiveMessage calls made. */
  receives: number;
}

function withSuffix(keyOf: KeyFn, suffix: string | undefined): KeyFn {
  if (!suffix) return keyOf;
  return (source) => {
    const k = keyOf(source);
    return k.ok ? { ok: true, key: `${k.key}${suffix}` } : k;
  };
}

export async function processSqs(clients: AwsClients, options: ProcessSqsOptions): Promise<ProcessSqsResult> {
  const started = performance.now();
  const { concurrency = 4, waitSeconds = 20, ttlDays = 7, signal } = options;
  const metrics = options.metrics ?? new Metrics();
  const log: ActionLog = options.log ?? (() => undefined);
  const common = { notify: options.notify };
  const queue = await openQueue(clients, options.queue, { createIfLocal: true, ...common });
  const dlq = await openDlq(clients, queue, { name: options.dlq });
  if (!dlq) options.notify?.(`no DLQ known for ${queue.name}: poison is left for the redrive policy (or pass --dlq)`);
  const ledger: Ledger | undefined =
    options.ledgerTable === false ? undefined : await openLedger(clients, options.ledgerTable, { createIfLocal: true, ...common });
  // Receives, deletes and heartbeats are not tied to the stop signal: in-flight work finishes.
  const queues = await sqsQueues(clients);
  const visibilitySeconds = Number((await queues.attributes(queue.url, ['VisibilityTimeout'])).VisibilityTimeout ?? 30);
  const sinks = options.sinks ?? [];
  const schema = options.schema ?? (await buildValidator({ kind: 'templates' }));
  for (const s of sinks) await s.open?.();

  const config: PipelineConfig = {
    queueName: queue.name,
    consumer: options.consumer === undefined ? queue.name : parseConsumer(options.consumer),
    fifo: queue.fifo,
    keyOf: withSuffix(compileKey(options.key), options.keySuffix),
    validate: schema.validate,
    ledger,
    sinks,
    owner: options.owner ?? randomUUID(),
    leaseMs: visibilitySeconds * 1000,
    ttlSeconds: ttlDays * 86_400,
    metrics,
    log,
    payloads: payloadHook(clients, { keep: options.keepPayloads }),
  };

  let handled = 0;
  let retryReason: string | undefined;
  let reserved = 0;
  let inFlight = 0;
  // The ledger keys each running batch holds a lease on.
  const held = new Set<Set<string>>();
  let receives = 0;
  /** Received and not yet acknowledged, released or handed back. */
  let inHand = 0;
  const expectBack = new Map<string, number>();
  /** Left on the queue by this run, hidden or soon visible: in-flight messages a drain need not wait for. */
  const leftByUs = new Set<string>();
  /** Counted deferred: one that comes back in this run is counted again by its final outcome instead. */
  const deferred = new Set<string>();
  const pace = options.drain ? new DrainPace() : undefined;
  let stop = false;
  const stopNow = () => {
    stop = true;
    pace?.stop();
  };
  signal?.addEventListener('abort', stopNow, { once: true });
  const receiveAbort = new AbortController();
  // A receive the server already answered would leave its messages hidden for a whole
  // visibility timeout if we cut it: give running receives a moment to return (what they
  // bring is processed), then cut the ones still long-polling an empty queue.
  const cutReceives = () => setTimeout(() => receiveAbort.abort(), RECEIVE_GRACE_MS).unref();
  if (signal?.aborted) receiveAbort.abort();
  else signal?.addEventListener('abort', cutReceives, { once: true });
  const receiver = await sqsQueues(clients, receiveAbort.signal);
  const pool = new PollerPool((leave) => guarded(leave));
  options.observer?.started?.({
    queueName: queue.name,
    queueUrl: queue.url,
    inFlight: () => inFlight,
    leases: () => [...held].reduce((n, keys) => n + keys.size, 0),
    pollers: () => pool.size,
    ...(options.autoscale ? { targetAgeSeconds: options.autoscale.targetAgeSeconds } : {}),
  });

  const handBack = async (batch: InboundMessage[]) => {
    const outcomes: Outcome[] = batch.map(() => ({ kind: 'skipped', reason: 'received as the run stopped' }));
    countOutcomes(outcomes, metrics);
    reserved -= batch.length;
    inHand -= batch.length;
    try {
      const entries = batch.map((m, i) => ({ id: String(i), receiptHandle: m.receiptHandle, visibilityTimeout: 0 }));
      await queues.changeVisibilityBatch(queue.url, entries);
    } catch {
      // Best effort: without it they come back when their visibility timeout ends.
    }
    for (const m of batch) log(m.traceId, 'stop', 'skip', { note: 'received as the run stopped; visible again' });
    options.onProgress?.(metrics);
  };

  /** What a batch leaves on the queue: deferred ones are counted again if they come back; none of it keeps a drain waiting. */
  const noteLeft = (batch: InboundMessage[], outcomes: Outcome[]) => {
    batch.forEach((m, i) => {
      const kind = outcomes[i]?.kind;
      if (kind === 'inflight' || kind === 'skipped') deferred.add(m.messageId);
      if (kind === 'inflight' || kind === 'skipped' || kind === 'retry') leftByUs.add(m.messageId);
    });
  };

  // Not ours to process: never claimed, never deleted, visible again (see foreign.ts).
  const foreign = options.accept ? new ForeignMessages(queues, queue.url, visibilitySeconds, queue.maxReceiveCount, log) : undefined;

  /** After an empty receive of a drain: whether the queue is drained (waits a moment while this run still holds messages). */
  const isDrained = async (turn: Turn): Promise<boolean> => {
    // Messages this run still holds may fail back onto the queue, and on FIFO they lock their groups' next messages.
    const now = Date.now();
    for (const [id, until] of expectBack) if (until < now) expectBack.delete(id);
    if (inHand > 0 || expectBack.size > 0) {
      await pace?.settled();
      return false;
    }
    if (turn === 'long') return true; // one whole wait brought nothing
    if (drained(await queueCounters(queues, queue.url), leftByUs.size + (foreign?.heldCount ?? 0))) return true;
    pace?.expect();
    return false;
  };

  /** A message counted deferred earlier in this run is back: it is counted once, by the outcome it gets now. */
  const unDefer = (received: Message[]) => {
    for (const m of received) {
      leftByUs.delete(m.MessageId ?? '');
      if (!deferred.delete(m.MessageId ?? '')) continue;
      metrics.inc('MessagesReceived', -1);
      metrics.inc('MessagesDeferred', -1);
    }
  };

  const poller = async (leave: () => boolean) => {
    // One acknowledgement may be in flight while the next batch is received: the delete
    // round trip no longer stalls the poller (it is awaited before the next ack and at the end).
    let pendingAck: Promise<void> | undefined;
    while (!stop && !leave()) {
      const want = options.count === undefined ? 10 : Math.min(10, options.count - reserved);
      if (want <= 0) break;
      const turn: Turn = pace ? await pace.turn() : 'long';
      if (turn === 'stop' || stop) {
        pace?.received(turn, 0);
        break;
      }
      reserved += want;
      receives++;
      let received: Message[];
      const receiveStart = performance.now();
      try {
        const wait = turn === 'short' ? 0 : waitSeconds;
        received = await receiver.receive(queue.url, { max: want, waitSeconds: wait, systemAttributes: INBOUND_SYSTEM_ATTRIBUTES });
      } catch (e: unknown) {
        reserved -= want;
        pace?.received(turn, 0);
        if (receiveAbort.signal.aborted) break;
        throw e;
      }
      reserved -= want - received.length;
      inHand += received.length;
      pace?.received(turn, received.length);
      scaler?.received(want, received);
      if (received.length === 0) {
        if (options.drain && (await isDrained(turn))) {
          stopNow();
          cutReceives();
        }
        continue;
      }
      for (const m of received) expectBack.delete(m.MessageId ?? '');
      unDefer(received);
      const all = received.map(fromSqsMessage);
      const batch = options.accept ? all.filter(options.accept) : all;
      if (batch.length < all.length) {
        const others = all.filter((m) => !batch.includes(m));
        reserved -= others.length;
        await foreign?.take(others);
        inHand -= others.length;
      }
      if (batch.length === 0) continue;
      startTiming(batch, options.stages, { start: receiveStart });
      if (signal?.aborted) {
        // A receive that returned after the stop: not started, so handed back at once for
        // another worker (rather than hidden for a visibility timeout), and counted deferred.
        await handBack(batch);
        continue;
      }
      inFlight += batch.length;
      const receivedAt = performance.now();
      const claimedKeys = new Set<string>();
      held.add(claimedKeys);
      const heartbeat = setInterval(
        () => {
          void queues
            .changeVisibilityBatch(
              queue.url,
              batch.map((m, i) => ({ id: String(i), receiptHandle: m.receiptHandle, visibilityTimeout: visibilitySeconds })),
            )
            .catch(() => undefined);
          if (ledger) {
            for (const key of claimedKeys)
              void ledger.extend({ consumer: config.consumer, key }, config.owner, config.leaseMs).catch(() => false);
          }
        },
        Math.max(1000, (visibilitySeconds * 1000) / 2),
      );
      const done = () => {
        clearInterval(heartbeat);
        inFlight -= batch.length;
        held.delete(claimedKeys);
        inHand -= batch.length;
        pace?.wake();
      };
      let outcomes: Outcome[];
      try {
        outcomes = await processBatch(batch, config, claimedKeys).catch((e: unknown) => {
          // Not handed over: the batch stays on the queue and comes back after its visibility timeout.
          countOutcomes(
            batch.map(() => ({ kind: 'retry' as const, reason: 'the run stopped on an error' })),
            metrics,
          );
          throw e;
        });
        await pendingAck;
        retryReason ??= outcomes.find((o) => o.kind === 'retry')?.reason;
        noteLeft(batch, outcomes);
      } catch (e: unknown) {
        done();
        throw e;
      }
      pendingAck = acknowledge(batch, outcomes, { queues, queue, dlq, metrics, log })
        .then((ack) => {
          // Wait for these (a few seconds at most) before calling the queue drained.
          for (const id of ack.soon) expectBack.set(id, Date.now() + 5000);
          settle(batch, outcomes, queue.name, options.stages);
          handled += batch.length;
          options.observer?.acknowledged?.(batch.length, (performance.now() - receivedAt) / 1000);
          options.onProgress?.(metrics);
          if (options.count !== undefined && handled >= options.count) stopNow();
        })
        .finally(done);
    }
    await pendingAck;
  };

  // The first error stops every poller; the others finish what they hold, so the result adds up.
  let failure: { error: unknown } | undefined;
  const guarded = (leave: () => boolean) =>
    poller(leave).catch((e: unknown) => {
      failure ??= { error: e };
      stopNow();
      cutReceives();
    });
  const scaler = options.autoscale
    ? startAutoscaler(pool, () => queueBacklog(queues, queue.url), options.autoscale, options.notify)
    : undefined;
  try {
    pool.resize(options.autoscale?.min ?? concurrency);
    await pool.settled();
  } finally {
    scaler?.stop();
    signal?.removeEventListener('abort', stopNow);
    signal?.removeEventListener('abort', cutReceives);
    await foreign?.close();
    await Promise.allSettled(sinks.map((s) => s.close()));
  }
  const durationMs = performance.now() - started;
  const result: ProcessSqsResult = {
    queue: queue.name,
    consumer: config.consumer,
    dlq: dlq?.name,
    handled,
    schema: schema.applied,
    durationMs,
    messagesPerSecond: durationMs > 0 ? (handled * 1000) / durationMs : 0,
    metrics: metrics.snapshot(),
    ...(retryReason ? { retryReason } : {}),
    receives,
  };
  if (failure) throw withPartialResult(failure.error, result);
  return result;
}
