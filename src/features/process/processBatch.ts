/**
 * What happens to each message of a batch, shared by process-sqs and the Lambda
 * handler: read (pipeline/intake.ts: envelope, schema, key, hash), claim in the ledger, write to
 * every sink, complete the claim. Returns an outcome per message; acknowledging
 * (delete, visibility, DLQ, batchItemFailures) is the caller's.
 */
import type { SinkMessage } from '../../pipeline/sink.js';
import type { InboundMessage } from '../../pipeline/inbound.js';
import { readMessage, resolvePayload } from '../../pipeline/intake.js';
import type { Outcome, PipelineConfig } from './types.js';
import type { PayloadHook } from '../../pipeline/payloads.js';
import { PayloadMissingError, type PayloadPointer } from '../../core/payloadPointer.js';
import { mark } from '../../core/tracing.js';

interface Prepared {
  message: InboundMessage;
  key: string;
  hash: string;
  sink: SinkMessage;
}

const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Reads one message (pipeline/intake.ts): a SinkMessage, or the reason it is poison. */
function prepare(m: InboundMessage, config: PipelineConfig): Prepared | { poison: string } {
  const read = readMessage(m, config);
  if (!read.ok) return { poison: read.reason };
  return {
    message: m,
    key: read.key,
    hash: read.hash,
    sink: {
      key: read.key,
      messageId: m.messageId,
      queue: config.queueName,
      consumer: config.consumer,
      body: read.body,
      raw: m.body,
      receiveCount: m.receiveCount,
      sentAt: m.sentAt,
      groupId: m.groupId,
      ...(Object.keys(m.attributes).length ? { attributes: m.attributes } : {}),
    },
  };
}

/** Claims, writes and completes a set of prepared messages with distinct keys. */
async function run(items: Prepared[], config: PipelineConfig, claimedKeys?: Set<string>): Promise<Map<string, Outcome>> {
  const out = new Map<string, Outcome>();
  const claimed = config.ledger ? await claimAll(items, config, out, claimedKeys) : items;
  if (claimed.length === 0) return out;
  const written = await writeAll(claimed, config);
  await Promise.all(claimed.map(async (p) => out.set(p.key, await settle(p, written, config))));
  return out;
}

type Claim = Awaited<ReturnType<NonNullable<PipelineConfig['ledger']>['claim']>> | { kind: 'error'; error: string };

/** Claims one key in the ledger; a ledger error is an outcome (retry), not a throw. */
async function claimOne(p: Prepared, config: PipelineConfig): Promise<Claim> {
  const t0 = performance.now();
  try {
    const claim = await config.ledger!.claim({
      consumer: config.consumer,
      key: p.key,
      owner: config.owner,
      leaseMs: config.leaseMs,
      payloadHash: p.hash,
      queue: config.queueName,
      messageId: p.message.messageId,
      receiveCount: p.message.receiveCount,
      ttlSeconds: config.ttlSeconds,
    });
    mark([p.message], 'claim', t0, claim.kind === 'duplicate' && claim.payloadMismatch ? { counter: 'PayloadMismatch' } : undefined);
    return claim;
  } catch (e: unknown) {
    mark([p.message], 'claim', t0, { counter: 'DynamoDBCheckError', error: errMsg(e) });
    config.metrics.inc('DynamoDBCheckError');
    config.log(p.message.traceId, 'claim', 'error', { key: p.key, error: errMsg(e) });
    return { kind: 'error', error: errMsg(e) };
  }
}

/** Claims every key; returns those this worker now holds, and sets the outcome of the others in `out`. */
async function claimAll(
  items: Prepared[],
  config: PipelineConfig,
  out: Map<string, Outcome>,
  claimedKeys?: Set<string>,
): Promise<Prepared[]> {
  const { metrics, log } = config;
  const claims = await Promise.all(items.map((p) => claimOne(p, config)));
  const claimed: Prepared[] = [];
  items.forEach((p, i) => {
    const c = claims[i]!;
    if (c.kind === 'claimed') {
      if (c.tasksDone?.length) p.sink.tasksDone = c.tasksDone;
      claimed.push(p);
      claimedKeys?.add(p.key);
    } else if (c.kind === 'duplicate') {
      if (c.payloadMismatch) {
        metrics.inc('PayloadMismatch');
        log(p.message.traceId, 'duplicate', 'error', { key: p.key, warning: 'same key, different payload' });
      } else log(p.message.traceId, 'duplicate', 'skip', { key: p.key });
      out.set(p.key, { kind: 'duplicate', key: p.key });
    } else if (c.kind === 'inflight') {
      const ours = c.owner === config.owner;
      log(p.message.traceId, 'claim', 'skip', {
        key: p.key,
        reason: ours ? 'in progress in another poller of this run' : 'in progress elsewhere',
      });
      out.set(p.key, { kind: 'inflight', key: p.key, ours });
    } else out.set(p.key, { kind: 'retry', key: p.key, reason: `ledger: ${c.error}` });
  });
  return claimed;
}

interface Written {
  failures: Map<string, { retryable: boolean; reason: string }>;
  /** Keys a sink routed to the rejects queue, with why. */
  rejected: Map<string, string>;
}

/** Every sink gets the whole batch; a message is stored when every sink says so. */
async function writeAll(claimed: Prepared[], config: PipelineConfig): Promise<Written> {
  const { metrics } = config;
  const failures: Written['failures'] = new Map();
  const rejected = new Map<string, string>();
  await Promise.all(
    config.sinks.map(async (sink) => {
      const t0 = performance.now();
      try {
        const result = await sink.write(claimed.map((p) => p.sink));
        markSink(claimed, sink.name, t0, (key) => result.failed.find((f) => f.key === key)?.error.message);
        for (const r of result.rejected ?? []) rejected.set(r.key, `${sink.name}: ${r.reason}`);
        for (const f of result.failed) {
          metrics.inc(`SinkError.${sink.name}`);
          const prev = failures.get(f.key);
          // A permanent failure anywhere makes the message poison.
          if (!prev || (prev.retryable && !f.retryable))
            failures.set(f.key, { retryable: f.retryable, reason: `${sink.name}: ${f.error.message}` });
        }
      } catch (e: unknown) {
        markSink(claimed, sink.name, t0, () => errMsg(e));
        metrics.inc(`SinkError.${sink.name}`, claimed.length);
        for (const p of claimed) if (!failures.has(p.key)) failures.set(p.key, { retryable: true, reason: `${sink.name}: ${errMsg(e)}` });
      }
    }),
  );
  return { failures, rejected };
}

/** The outcome of one claimed message once the sinks answered: its claim released (failed) or completed. */
async function settle(p: Prepared, { failures, rejected }: Written, config: PipelineConfig): Promise<Outcome> {
  const { ledger, log } = config;
  const failure = failures.get(p.key);
  if (failure) {
    if (ledger) await ledger.release({ consumer: config.consumer, key: p.key }, config.owner).catch(() => false);
    log(p.message.traceId, 'store', 'error', { key: p.key, error: failure.reason, retryable: failure.retryable });
    return failure.retryable
      ? { kind: 'retry', key: p.key, reason: failure.reason }
      : { kind: 'poison', key: p.key, reason: failure.reason };
  }
  if (ledger) {
    const lost = await complete(p, config);
    if (lost) return lost;
  }
  const routed = rejected.get(p.key);
  if (routed) {
    log(p.message.traceId, 'rejects', 'ok', { key: p.key, reason: routed });
    return { kind: 'rejected', key: p.key, reason: routed };
  }
  log(p.message.traceId, 'store', 'ok', { key: p.key, sinks: config.sinks.map((s) => s.name) });
  return { kind: 'saved', key: p.key };
}

/** Completes a stored message's claim; the outcome instead when the ledger failed or the lease was lost. */
async function complete(p: Prepared, config: PipelineConfig): Promise<Outcome | undefined> {
  const { metrics, log } = config;
  let completed: boolean;
  const t0 = performance.now();
  try {
    completed = await config.ledger!.complete({ consumer: config.consumer, key: p.key }, config.owner, config.ttlSeconds);
    mark([p.message], 'complete', t0, completed ? undefined : { counter: 'LeaseLost', error: 'lease lost to another worker' });
  } catch (e: unknown) {
    mark([p.message], 'complete', t0, { counter: 'DynamoDBSaveError', error: errMsg(e) });
    metrics.inc('DynamoDBSaveError');
    log(p.message.traceId, 'complete', 'error', { key: p.key, error: errMsg(e) });
    return { kind: 'retry', key: p.key, reason: `ledger: ${errMsg(e)}` };
  }
  if (completed) return undefined;
  // Our lease ran out and another worker owns the key now: it will finish and delete.
  metrics.inc('LeaseLost');
  log(p.message.traceId, 'complete', 'skip', { key: p.key, reason: 'lease lost to another worker' });
  return { kind: 'inflight', key: p.key };
}

/** Times one sink's write for each message it was given (when timed); `errorOf` says why a key failed. */
function markSink(items: Prepared[], sink: string, start: number, errorOf: (key: string) => string | undefined): void {
  if (!items[0]?.message.marks) return;
  for (const p of items) {
    const error = errorOf(p.key);
    mark([p.message], `sink ${sink}`, start, error === undefined ? undefined : { counter: `SinkError.${sink}`, error });
  }
}

/** The counter of each outcome: every received message is counted in exactly one. */
export const OUTCOME_COUNTER = {
  saved: 'MessagesSaved',
  duplicate: 'DuplicateMessages',
  poison: 'InvalidMessages',
  retry: 'MessagesRetried',
  // Left for another worker's live lease, or for another poller of this run, or not tried (FIFO order).
  inflight: 'MessagesDeferred',
  skipped: 'MessagesDeferred',
  rejected: 'MessagesToRejects',
} as const satisfies Record<Outcome['kind'], string>;

/** Counts a set of messages and their outcomes (also used for messages handed back at a stop). */
export function countOutcomes(outcomes: Outcome[], metrics: PipelineConfig['metrics']): void {
  metrics.inc('MessagesReceived', outcomes.length);
  for (const o of outcomes) metrics.inc(OUTCOME_COUNTER[o.kind]);
}

/**
 * Outcomes in the order of `messages`, each counted once. `claimedKeys` collects the keys
 * this batch holds in the ledger, so a heartbeat can extend their leases.
 */
export async function processBatch(messages: InboundMessage[], config: PipelineConfig, claimedKeys?: Set<string>): Promise<Outcome[]> {
  const outcomes = config.payloads
    ? await withPayloads(messages, config, config.payloads, claimedKeys)
    : await decide(messages, config, claimedKeys);
  countOutcomes(outcomes, config.metrics);
  return outcomes;
}

/**
 * Large payloads, kept apart from the pipeline: a pointer becomes its body before
 * validation (the caller still holds the pointer message, so a DLQ gets the pointer);
 * a missing object is poison with its reason; the object is deleted once the message is
 * stored (saved, or a duplicate of what is stored). One payload at a time: memory stays
 * at about one payload per poller.
 */
async function withPayloads(
  messages: InboundMessage[],
  config: PipelineConfig,
  hook: PayloadHook,
  claimedKeys?: Set<string>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(messages.length);
  const pointers: (PayloadPointer | undefined)[] = new Array(messages.length);
  const ready: { m: InboundMessage; i: number }[] = [];
  for (const [i, m] of messages.entries()) {
    try {
      const r = await resolvePayload(m, hook);
      pointers[i] = r.pointer;
      ready.push({ m: r.message, i });
    } catch (e: unknown) {
      const reason = errMsg(e);
      if (e instanceof PayloadMissingError) {
        config.log(m.traceId, 'validate', 'error', { reason });
        outcomes[i] = { kind: 'poison', reason };
      } else {
        config.log(m.traceId, 'payload', 'error', { reason });
        outcomes[i] = { kind: 'retry', reason: `large payload: ${reason}` };
      }
    }
  }
  const inner = await decide(
    ready.map((r) => r.m),
    config,
    claimedKeys,
  );
  for (const [j, r] of ready.entries()) outcomes[r.i] = inner[j]!;
  for (const [i, p] of pointers.entries()) {
    const kind = outcomes[i]?.kind;
    if (!p || (kind !== 'saved' && kind !== 'duplicate')) continue;
    // Stored already: a failed delete leaves an object behind, never a lost message.
    await hook
      .release(p)
      .catch((e: unknown) => config.log(messages[i]!.traceId, 'payload', 'error', { reason: `not deleted: ${errMsg(e)}` }));
  }
  return outcomes;
}

async function decide(messages: InboundMessage[], config: PipelineConfig, claimedKeys?: Set<string>): Promise<Outcome[]> {
  const prepared = messages.map((m) => prepare(m, config));
  const outcomes: (Outcome | undefined)[] = prepared.map((p, i) => {
    if (!('poison' in p)) return undefined;
    config.log(messages[i]!.traceId, 'validate', 'error', { reason: p.poison });
    return { kind: 'poison', reason: p.poison };
  });
  const valid = prepared.map((p, i) => ({ p, i })).filter((x): x is { p: Prepared; i: number } => !('poison' in x.p));

  if (!config.fifo) {
    // The first copy of a key in the batch is processed; later copies follow its fate.
    const first = new Map<string, Prepared>();
    for (const { p } of valid) if (!first.has(p.key)) first.set(p.key, p);
    const results = await run([...first.values()], config, claimedKeys);
    for (const { p, i } of valid) {
      const r = results.get(p.key)!;
      if (first.get(p.key) === p) outcomes[i] = r;
      else if (r.kind === 'saved' || r.kind === 'duplicate' || r.kind === 'rejected') outcomes[i] = { kind: 'duplicate', key: p.key };
      else outcomes[i] = r; // a copy shares the first one's fate (retry, poison, in flight)
    }
    return outcomes as Outcome[];
  }

  // FIFO: one group at a time in order; a failure stops the rest of its group.
  const groups = new Map<string, { p: Prepared; i: number }[]>();
  for (const v of valid) {
    const g = config.stopAtFirstFailure ? '' : (v.p.message.groupId ?? '');
    groups.set(g, [...(groups.get(g) ?? []), v]);
  }
  const blocked = new Set<string>();
  await Promise.all(
    [...groups.entries()].map(async ([group, items]) => {
      for (const { p, i } of items) {
        if (blocked.has(group)) {
          outcomes[i] = { kind: 'skipped', reason: 'an earlier message of its group failed' };
          continue;
        }
        const r = (await run([p], config, claimedKeys)).get(p.key)!;
        outcomes[i] = r;
        if (r.kind === 'retry' || r.kind === 'inflight') blocked.add(group);
      }
    }),
  );
  return outcomes as Outcome[];
}
