/**
 * Where the sent messages that were never completed are at the end of a run, once the
 * workers have stopped: still on the queue, in the DLQ (SQS's redrive policy moved them),
 * or gone (lost). On the run's own queue every message there is the run's, so the depths
 * answer. On a queue named with --queue others' messages may be there too: it is swept
 * (received, held hidden, every one made visible again at once at the end), by id.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@aws-sdk/client-sqs';
import type { SqsQueues } from '../../aws/queue.js';
import { entryBatches } from '../../core/batching.js';
import { messagesOn, type RunTarget } from './runQueue.js';
import { RUN_ATTRIBUTE } from './runMark.js';

export interface Census {
  leftOnQueue: number;
  /** Moved to the DLQ by SQS (not by a worker). */
  redrivenToDlq: number;
  lost: number;
}

export interface CensusInput {
  queues: SqsQueues;
  target: RunTarget;
  runId: string;
  /** Sent and never completed. */
  waiting: Set<string>;
  /** Messages the workers moved to the DLQ themselves. */
  toDlq: number;
  /** Ids a worker took and did not complete: on the queue, perhaps hidden (a retry's backoff) from a sweep. */
  hidden: Set<string>;
  /** Messages of others the sweep saw (released untouched). */
  onForeign: (messageId: string) => void;
}

/** A sweep holds what it receives hidden this long at most; it is released at the end anyway. */
const HOLD_SECONDS = 60;
const SWEEP_MS = 20_000;

export async function census(c: CensusInput): Promise<Census> {
  if (c.waiting.size === 0) return { leftOnQueue: 0, redrivenToDlq: 0, lost: 0 };
  if (c.target.own) return byDepth(c);
  const left = new Set(c.waiting);
  const onQueue = await sweep(c, c.target.queue.url, left);
  const inDlq = c.target.dlq && left.size > 0 ? await sweep(c, c.target.dlq.url, left) : 0;
  let hidden = 0;
  for (const id of left) if (c.hidden.has(id)) hidden++;
  return { leftOnQueue: onQueue + hidden, redrivenToDlq: inDlq, lost: left.size - hidden };
}

async function byDepth(c: CensusInput): Promise<Census> {
  const waiting = c.waiting.size;
  const leftOnQueue = Math.min(waiting, await messagesOn(c.queues, c.target.queue.url));
  const dlq = c.target.dlq ? await messagesOn(c.queues, c.target.dlq.url) : 0;
  const redrivenToDlq = Math.min(waiting - leftOnQueue, Math.max(0, dlq - c.toDlq));
  return { leftOnQueue, redrivenToDlq, lost: waiting - leftOnQueue - redrivenToDlq };
}

/** Receives until every id in `left` is found, two receives bring nothing, or SWEEP_MS; deletes found ids from `left`. */
async function sweep(c: CensusInput, url: string, left: Set<string>): Promise<number> {
  const held: Message[] = [];
  let found = 0;
  let empty = 0;
  const until = Date.now() + SWEEP_MS;
  try {
    while (left.size > 0 && empty < 2 && Date.now() < until) {
      const got = await c.queues.receive(url, { max: 10, waitSeconds: 1, visibilityTimeout: HOLD_SECONDS, systemAttributes: [] });
      empty = got.length === 0 ? empty + 1 : 0;
      for (const m of got) {
        held.push(m);
        const id = m.MessageId ?? '';
        if (m.MessageAttributes?.[RUN_ATTRIBUTE]?.StringValue !== c.runId) c.onForeign(id);
        else if (left.delete(id)) found++;
      }
    }
  } finally {
    await release(c.queues, url, held);
  }
  return found;
}

async function release(queues: SqsQueues, url: string, held: Message[]): Promise<void> {
  for (const batch of entryBatches(held)) {
    const entries = batch.map((m, i) => ({ id: String(i), receiptHandle: m.ReceiptHandle ?? '', visibilityTimeout: 0 }));
    // One retry: a release that fails leaves a message hidden until HOLD_SECONDS pass, never gone.
    await queues
      .changeVisibilityBatch(url, entries)
      .catch(() => sleep(200).then(() => queues.changeVisibilityBatch(url, entries)))
      .catch(() => undefined);
  }
}
