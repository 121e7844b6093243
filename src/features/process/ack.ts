/**
 * Acknowledging a processed batch on SQS: poison to the DLQ (body byte-identical)
 * and only then deleted; saved, duplicates and rejects-routed deleted; retries hidden for a backoff;
 * FIFO-skipped messages made visible again at once. Every batch call's Failed[] is read.
 */
import type { SqsQueues, QueueRef } from '../../aws/queue.js';
import { entryBatches } from '../../core/batching.js';
import { retryDelaySeconds } from '../../core/claims.js';
import type { Metrics } from '../../core/metrics.js';
import type { ActionLog } from './log.js';
import type { InboundMessage } from '../../pipeline/inbound.js';
import type { Outcome } from './types.js';
import { acknowledgePoisonToDlq } from './dlq.js';
import { mark } from '../../core/tracing.js';

export interface AckTarget {
  queues: SqsQueues;
  queue: QueueRef;
  /** Where poison goes; undefined: left for the redrive policy to move. */
  dlq?: QueueRef;
  metrics: Metrics;
  log: ActionLog;
}

export interface AckSummary {
  deleted: number;
  toDlq: number;
  retried: number;
  /** Messages made visible again within seconds (the run should wait for them before calling the queue drained). */
  soon: string[];
}

async function chunks<T>(items: T[], fn: (chunk: T[]) => Promise<void>): Promise<void> {
  for (const batch of entryBatches(items)) await fn(batch);
}

export async function acknowledge(messages: InboundMessage[], outcomes: Outcome[], t: AckTarget): Promise<AckSummary> {
  const summary: AckSummary = { deleted: 0, toDlq: 0, retried: 0, soon: [] };
  const toDelete: InboundMessage[] = [];
  const poison: { m: InboundMessage; reason: string }[] = [];
  const visibility: { m: InboundMessage; seconds: number; soon?: boolean }[] = [];
  messages.forEach((m, i) => {
    const o = outcomes[i]!;
    if (o.kind === 'saved' || o.kind === 'duplicate' || o.kind === 'rejected') toDelete.push(m);
    else if (o.kind === 'poison') poison.push({ m, reason: o.reason });
    else if (o.kind === 'retry') visibility.push({ m, seconds: retryDelaySeconds(m.receiveCount) });
    else if (o.kind === 'skipped') visibility.push({ m, seconds: 0, soon: true });
    // Another poller of this run holds the key: back in a moment, to be seen as a duplicate.
    else if (o.kind === 'inflight' && o.ours) visibility.push({ m, seconds: 1, soon: true });
  });

  if (t.dlq && poison.length) {
    const moved = await acknowledgePoisonToDlq(t.queues, t.dlq, poison, t.metrics, t.log);
    for (const { m } of poison) if (moved.has(m.messageId)) toDelete.push(m);
    summary.toDlq += moved.size;
  } else {
    // No DLQ known: let the redrive policy move it once maxReceiveCount is reached.
    for (const { m, reason } of poison) {
      visibility.push({ m, seconds: 0 });
      t.log(m.traceId, 'dlq', 'skip', { reason, note: 'no DLQ known; left for the redrive policy' });
    }
  }

  await chunks(toDelete, async (chunk) => {
    const t0 = performance.now();
    try {
      const out = await t.queues.deleteBatch(
        t.queue.url,
        chunk.map((m, i) => ({ id: String(i), receiptHandle: m.receiptHandle })),
      );
      markDeletes(chunk, t0, (i) => {
        const f = out.failed.find((x) => Number(x.id) === i);
        return f && (f.message || f.code);
      });
      summary.deleted += out.successful.length;
      t.metrics.inc('MessagesDeleted', out.successful.length);
      for (const f of out.failed) {
        t.metrics.inc('SQSDeleteError');
        t.log(chunk[Number(f.id)]!.traceId, 'delete', 'error', {
          code: f.code,
          error: f.message,
          note: 'it will come back and be skipped as a duplicate',
        });
      }
    } catch (e: unknown) {
      markDeletes(chunk, t0, () => (e instanceof Error ? e.message : String(e)));
      t.metrics.inc('SQSDeleteError', chunk.length);
      for (const m of chunk) t.log(m.traceId, 'delete', 'error', { error: e instanceof Error ? e.message : String(e) });
    }
  });

  await chunks(visibility, async (chunk) => {
    try {
      await t.queues.changeVisibilityBatch(
        t.queue.url,
        chunk.map(({ m, seconds }, i) => ({ id: String(i), receiptHandle: m.receiptHandle, visibilityTimeout: seconds })),
      );
    } catch {
      // Best effort: without it the message still comes back when its visibility ends.
    }
    for (const { m, seconds, soon } of chunk) {
      if (soon) summary.soon.push(m.messageId);
      else if (seconds > 0) {
        // Counted as MessagesRetried where its outcome was decided (processBatch).
        summary.retried++;
        t.log(m.traceId, 'retry', 'ok', { inSeconds: seconds });
      }
    }
  });
  return summary;
}

/** Times a delete call for each message of the chunk (when timed); `errorOf` says why an entry failed. */
function markDeletes(chunk: InboundMessage[], start: number, errorOf: (index: number) => string | undefined): void {
  if (!chunk[0]?.marks) return;
  chunk.forEach((m, i) => {
    const error = errorOf(i);
    mark([m], 'delete', start, error === undefined ? { counter: 'MessagesDeleted' } : { counter: 'SQSDeleteError', error });
  });
}
