/**
 * `tail`: follow a queue's messages as they arrive without taking them. Each poll receives
 * up to 10, hands the new ones to `onMessage`, and makes every one visible again at once
 * (ChangeMessageVisibility 0): nothing is recorded, nothing is deleted. A message seen once
 * is not shown again, but SQS hands it out again at later polls, raising its receive count
 * (see core/tailBudget.ts): the run refuses to start where that could reach the DLQ.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../aws/clients.js';
import { UsageError } from '../../core/errors.js';
import { compileFilter } from '../../core/redriveFilter.js';
import { pollsWithin, tailRisk } from '../../core/tailBudget.js';
import { openQueue, sqsQueues } from '../../pipeline/resources.js';
import { DEFAULTS } from '../../config.js';

export interface TailOptions {
  /** Queue name or URL. */
  queue: string;
  /** `body.<field>=<value>` / `attr.<name>=<value>`, `!=` negates; all must hold. */
  filters?: string[];
  /** Stop after showing this many. */
  count?: number;
  /** Stop after this many seconds. */
  durationSeconds?: number;
  /** Seconds between polls. @default 5 */
  intervalSeconds?: number;
  /** Start even where the run could push messages to the DLQ. @default false */
  force?: boolean;
  signal?: AbortSignal;
  /** Each new message that passes the filters, in the order received. */
  onMessage(message: TailedMessage): void | Promise<void>;
}

export interface TailedMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  sentAt?: string;
  attributes: Record<string, string>;
  groupId?: string;
}

export interface TailResult {
  queue: string;
  polls: number;
  /** Receives in all, repeats included. */
  received: number;
  /** Distinct messages seen. */
  seen: number;
  shown: number;
  /** Seen but not shown: a filter did not hold. */
  filteredOut: number;
  /** Receives made visible again; what was not (a failed release, a receive cut by the signal) comes back after 10 s by itself. */
  released: number;
  stoppedBy: 'count' | 'duration' | 'signal';
}

/** How long a received message stays hidden if it is not released (a failed release, a receive cut by Ctrl-C). */
export const HOLD_SECONDS = 10;

function tailed(m: Message): TailedMessage {
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) attributes[k] = v.StringValue ?? `(${v.DataType})`;
  const sent = Number(m.Attributes?.SentTimestamp);
  return {
    messageId: m.MessageId ?? '',
    body: m.Body ?? '',
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
    attributes,
    ...(m.Attributes?.MessageGroupId ? { groupId: m.Attributes.MessageGroupId } : {}),
  };
}

export async function tailQueue(clients: AwsClients, options: TailOptions): Promise<TailResult> {
  const { count, durationSeconds, intervalSeconds = DEFAULTS.tail.interval, signal } = options;
  const matches = compileFilter(options.filters) ?? (() => true);
  const ref = await openQueue(clients, options.queue, { signal });
  const maxPolls = durationSeconds === undefined ? undefined : pollsWithin(durationSeconds, intervalSeconds);
  const risk = tailRisk({ maxPolls, maxReceiveCount: ref.maxReceiveCount });
  if (risk && !options.force) {
    const safe = ref.maxReceiveCount! > 1 ? ` (--duration ${(ref.maxReceiveCount! - 1) * intervalSeconds - 1} or less keeps it out)` : '';
    throw new UsageError(`not tailing ${ref.name}: ${risk}`, {
      hint: `give --duration S${safe}, tail a queue without a redrive policy, or pass --force to accept it`,
    });
  }
  const receiver = await sqsQueues(clients, signal);
  // Releases are never cut by the signal: what we hold goes back whatever ends the run.
  const releaser = await sqsQueues(clients);
  const result: TailResult = {
    queue: ref.name,
    polls: 0,
    received: 0,
    seen: 0,
    shown: 0,
    filteredOut: 0,
    released: 0,
    stoppedBy: 'signal',
  };
  const seen = new Set<string>();
  const deadline = durationSeconds === undefined ? Number.POSITIVE_INFINITY : Date.now() + durationSeconds * 1000;
  for (;;) {
    if (signal?.aborted) break;
    const left = (deadline - Date.now()) / 1000;
    if (left <= 0) {
      result.stoppedBy = 'duration';
      break;
    }
    let batch: Message[];
    try {
      const waitSeconds = Math.min(20, Math.max(0, Math.floor(left)));
      batch = await receiver.receive(ref.url, { max: 10, waitSeconds, visibilityTimeout: HOLD_SECONDS });
    } catch (e) {
      if (signal?.aborted) break;
      throw e;
    }
    result.polls++;
    result.received += batch.length;
    try {
      for (const m of batch) {
        const id = m.MessageId ?? '';
        if (seen.has(id)) continue;
        seen.add(id);
        result.seen++;
        if (!matches({ body: m.Body ?? '', attributes: m.MessageAttributes ?? {} })) {
          result.filteredOut++;
          continue;
        }
        if (count !== undefined && result.shown >= count) continue;
        await options.onMessage(tailed(m));
        result.shown++;
      }
    } finally {
      const release = batch.map((m, i) => ({ id: String(i), receiptHandle: m.ReceiptHandle ?? '', visibilityTimeout: 0 }));
      result.released += (await releaser.changeVisibilityBatch(ref.url, release)).successful.length;
    }
    if (count !== undefined && result.shown >= count) {
      result.stoppedBy = 'count';
      break;
    }
    // Ctrl-C during the pause ends it at once (the loop's top sees the signal).
    await sleep(Math.min(intervalSeconds * 1000, Math.max(0, deadline - Date.now())), undefined, { signal }).catch(() => undefined);
  }
  return result;
}
