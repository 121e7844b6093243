/**
 * The paced sender: every few milliseconds it sends what the schedule says is due,
 * in batches of up to 10, with a cap on calls in flight. It never sends ahead of the
 * schedule; when it falls behind (calls in flight at the cap, a busy CPU), what is due
 * piles up and is sent as soon as it can; what is still due when the window closes is
 * not sent, so the achieved rate shows the shortfall.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SqsQueues, QueueRef, SendEntry } from '../../aws/queue.js';
import { UsageError } from '../../core/errors.js';
import { TEMPLATES } from '../../core/templates/index.js';
import { RUN_ATTRIBUTE } from './runMark.js';
import { dueBy, type RateSchedule } from '../../core/rateSchedule.js';

/** The message attribute holding the send time (epoch ms), for consumers that want their own latency. */
export const SENT_AT_ATTRIBUTE = 'sqsops-load-sent-at';
/** Tick of the pacing loop: short enough that a batch of 10 waits at most this long at low rates. */
const TICK_MS = 5;

export interface SenderOptions {
  queues: SqsQueues;
  queue: QueueRef;
  schedule: RateSchedule;
  durationMs: number;
  concurrency: number;
  template: string;
  runId: string;
  signal?: AbortSignal;
  /** Called once per message SQS accepted, with its id and send time (epoch ms). */
  onSent: (messageId: string, sentAt: number) => void;
  onFailed: (count: number, reason: string) => void;
}

/** asked: what the schedule asked for; onTime: how many were handed to SQS by the end of the window. */
export async function runSender(o: SenderOptions): Promise<{ asked: number; onTime: number; elapsedMs: number }> {
  const template = TEMPLATES[o.template];
  if (!template) throw new UsageError(`unknown template "${o.template}"`, { hint: `use one of: ${Object.keys(TEMPLATES).join(', ')}` });
  const { faker } = await import('@faker-js/faker/locale/en');
  const next = template.create(faker);
  let seq = 0;
  let inFlight = 0;
  const calls = new Set<Promise<void>>();

  const send = async (n: number) => {
    const sentAt = Date.now();
    const attributes: Record<string, MessageAttributeValue> = {
      eventType: { DataType: 'String', StringValue: 'OrderCreated' },
      [SENT_AT_ATTRIBUTE]: { DataType: 'Number', StringValue: String(sentAt) },
      [RUN_ATTRIBUTE]: { DataType: 'String', StringValue: o.runId },
    };
    const entries: SendEntry[] = Array.from({ length: n }, (_, i) => {
      const entry: SendEntry = { id: String(i), body: JSON.stringify(next(seq++)), attributes };
      // FIFO: spread over 16 groups (one group would serialise the whole run) and never deduplicate.
      if (o.queue.fifo) {
        entry.groupId = `load-${seq % 16}`;
        entry.deduplicationId = randomUUID();
      }
      return entry;
    });
    try {
      const out = await o.queues.sendBatch(o.queue.url, entries);
      for (const s of out.successful) o.onSent(s.messageId, sentAt);
      if (out.failed.length) o.onFailed(out.failed.length, out.failed[0]!.message || out.failed[0]!.code);
    } catch (e: unknown) {
      o.onFailed(n, e instanceof Error ? e.message : String(e));
    }
  };

  const started = performance.now();
  let queued = 0;
  let asked = 0;
  for (;;) {
    const elapsed = performance.now() - started;
    const finished = elapsed >= o.durationMs || o.signal?.aborted;
    asked = Math.floor(dueBy(o.schedule, Math.min(elapsed, o.durationMs)));
    while (queued < asked && inFlight < o.concurrency) {
      const n = Math.min(10, asked - queued);
      queued += n;
      inFlight++;
      const call = send(n).finally(() => {
        inFlight--;
        calls.delete(call);
      });
      calls.add(call);
    }
    // At the end of the window what could not go out stays unsent: a sender that fell
    // behind does not stretch the run, it is reported (asked versus sent).
    if (o.signal?.aborted || finished) break;
    await sleep(TICK_MS);
  }
  await Promise.all(calls);
  return { asked, onTime: queued, elapsedMs: performance.now() - started };
}
