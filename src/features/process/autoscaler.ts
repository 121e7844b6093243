/**
 * `--concurrency auto`: what the pollers saw since the last decision (how full their receives
 * came back, the age of the messages at receipt) and the queue's backlog (GetQueueAttributes,
 * read in the background at most once a second, only while receives come back) go through the
 * rule in core/autoscale.ts, and the pool is resized. The pool is judged as soon as each poller
 * has come back once (a round: tens of ms when busy, so growing takes a few rounds), and at
 * least every interval (an idle pool long-polls for seconds). Each change is told as a note.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { SqsQueues } from '../../aws/queue.js';
import { nextPollers, type ScaleBounds } from '../../core/autoscale.js';

export interface AutoscaleOptions extends ScaleBounds {
  /** The pool is judged at least this often, in ms. @default 1000 */
  intervalMs?: number;
  /** A shrink waits this long after the last change (growing never waits), in ms. @default 5000 */
  shrinkAfterMs?: number;
  /** The backlog is read at most this often, in ms. @default 1000 */
  backlogIntervalMs?: number;
}

export interface Resizable {
  readonly size: number;
  resize(pollers: number): void;
}

export interface Autoscaler {
  /** A receive asked for `asked` messages and got these. */
  received(asked: number, messages: readonly Message[]): void;
  stop(): void;
}

/** The age at receipt of the oldest of these messages, from SentTimestamp; null when none says. */
function oldestAge(messages: readonly Message[], now: number): number | null {
  let oldest: number | null = null;
  for (const m of messages) {
    const sent = Number(m.Attributes?.SentTimestamp);
    if (Number.isFinite(sent) && sent > 0) oldest = Math.max(oldest ?? 0, (now - sent) / 1000);
  }
  return oldest;
}

export function startAutoscaler(
  pool: Resizable,
  readBacklog: () => Promise<number | null>,
  options: AutoscaleOptions,
  notify?: (message: string) => void,
): Autoscaler {
  const { intervalMs = 1000, shrinkAfterMs = 5000, backlogIntervalMs = 1000 } = options;
  let fills: number[] = [];
  let oldest: number | null = null;
  let changedAt = Date.now();
  let backlog: number | null = null;
  let backlogAt = Number.NEGATIVE_INFINITY;
  let reading = false;
  let stopped = false;

  // The last reading is used as it is; a fresh one is asked for when it is due.
  const refreshBacklog = () => {
    if (reading || stopped || Date.now() - backlogAt < backlogIntervalMs) return;
    reading = true;
    backlogAt = Date.now();
    void readBacklog()
      .then((n) => {
        backlog = n;
      })
      .finally(() => {
        reading = false;
      });
  };
  const judge = () => {
    if (stopped) return;
    const decision = nextPollers({ ...options, pollers: pool.size, fills, backlog, oldestAgeSeconds: oldest });
    // Too soon to shrink: the evidence keeps adding up until a shrink may happen.
    if (decision.pollers < pool.size && Date.now() - changedAt < shrinkAfterMs) return;
    fills = [];
    oldest = null;
    if (decision.pollers === pool.size) return;
    notify?.(`concurrency ${pool.size} -> ${decision.pollers}: ${decision.reason}`);
    pool.resize(decision.pollers);
    changedAt = Date.now();
  };
  // Asked at once: the first receives find a reading to size the first growth by.
  refreshBacklog();
  const timer = setInterval(judge, intervalMs);
  timer.unref();
  return {
    received(asked, messages) {
      if (asked <= 0 || stopped) return;
      fills.push(Math.min(1, messages.length / asked));
      const age = oldestAge(messages, Date.now());
      if (age !== null) oldest = Math.max(oldest ?? 0, age);
      refreshBacklog();
      if (fills.length >= pool.size) judge();
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** The messages waiting (ApproximateNumberOfMessages); null when it cannot be read (the rule then does without). */
export async function queueBacklog(queues: SqsQueues, url: string): Promise<number | null> {
  try {
    const n = Number((await queues.attributes(url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}
