/**
 * `stats`: the depth of every queue (or those whose name starts with a prefix): visible,
 * in flight, delayed, and the depth of the DLQ its redrive policy names. Read-only: only
 * GetQueueAttributes, never a receive, so no message is disturbed.
 *
 * The age of the oldest message is not something the SQS API answers: it is the
 * CloudWatch metric ApproximateAgeOfOldestMessage (one GetMetricData call per 500 queues),
 * which the embedded local AWS answers too, from its own store. Peeking would change what
 * it measures (receive counts, visibility), so where CloudWatch cannot be asked (no
 * permission) it is unknown (null) rather than guessed.
 */
import type { AwsClients } from '../../aws/clients.js';
import { queueNameFromUrl, redrivePolicyOf } from '../../aws/queue.js';
import { QueueNotFoundError } from '../../core/errors.js';
import { oldestMessageAges } from '../../aws/cloudwatch.js';
import { sdkErrorMessage, sdkErrorName } from '../../aws/errors.js';
import { sqsQueues } from '../../pipeline/resources.js';

export interface QueueStats {
  name: string;
  url: string;
  fifo: boolean;
  visible: number;
  inFlight: number;
  delayed: number;
  /** The DLQ its redrive policy names; `visible`/`inFlight` are null when that queue cannot be read (deleted, another account). */
  dlq?: { name: string; visible: number | null; inFlight: number | null };
  /** True when a queue in this listing names it as its DLQ. */
  isDlq: boolean;
  /** CloudWatch's ApproximateAgeOfOldestMessage (newest datapoint of the last 15 minutes); null where it cannot be had. */
  oldestMessageAgeSeconds: number | null;
}

export interface StatsOptions {
  /** Only queues whose name starts with this. */
  prefix?: string;
  signal?: AbortSignal;
  /** GetQueueAttributes calls in flight at once (SQS throttles a burst over hundreds of queues). @default 8 */
  concurrency?: number;
  /** Ask CloudWatch for the age of the oldest message. @default true */
  ages?: boolean;
  /** Hears why the ages could not be had (once per call). */
  notify?: (message: string) => void;
}

const DEPTH = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;

interface Row extends Omit<QueueStats, 'dlq' | 'isDlq'> {
  arn: string;
  dlqArn?: string;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

export async function queueStats(clients: AwsClients, options: StatsOptions = {}): Promise<QueueStats[]> {
  const queues = await sqsQueues(clients, options.signal);
  const read = async (url: string): Promise<Row | undefined> => {
    try {
      const a = await queues.attributes(url, [...DEPTH, 'RedrivePolicy', 'FifoQueue', 'QueueArn']);
      const dlqArn = redrivePolicyOf(a.RedrivePolicy).deadLetterTargetArn;
      return {
        name: queueNameFromUrl(url),
        url,
        arn: a.QueueArn ?? '',
        fifo: a.FifoQueue === 'true',
        visible: Number(a.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
        oldestMessageAgeSeconds: null,
        dlqArn,
      };
    } catch (e: unknown) {
      if (e instanceof QueueNotFoundError) return undefined; // deleted since ListQueues: not a queue any more
      throw e;
    }
  };
  const limit = options.concurrency ?? 8;
  const rows = (await mapLimit(await queues.list(options.prefix), limit, read)).filter((r): r is Row => r !== undefined);
  const byArn = new Map(rows.map((r) => [r.arn, r]));
  // DLQs outside the listing (another prefix): read them too, once each.
  const missing = [...new Set(rows.map((r) => r.dlqArn).filter((a): a is string => !!a && !byArn.has(a)))];
  await mapLimit(missing, limit, async (arn) => {
    const url = await queues.findUrl(arn.split(':').pop() ?? '').catch(() => undefined);
    const row = url ? await read(url) : undefined;
    if (row && row.arn === arn) byArn.set(arn, row);
  });
  const ages =
    (options.ages ?? true) && rows.length > 0
      ? await readAges(
          clients,
          rows.map((r) => r.name),
          options,
        )
      : undefined;
  const dlqArns = new Set(rows.map((r) => r.dlqArn));
  return rows.map(({ arn, dlqArn, ...r }) => {
    const target = dlqArn ? byArn.get(dlqArn) : undefined;
    return {
      ...r,
      oldestMessageAgeSeconds: ages?.get(r.name) ?? null,
      ...(dlqArn
        ? { dlq: { name: dlqArn.split(':').pop() ?? dlqArn, visible: target?.visible ?? null, inFlight: target?.inFlight ?? null } }
        : {}),
      isDlq: dlqArns.has(arn),
    };
  });
}

/** The ages from CloudWatch; undefined (every age unknown, said once) when it cannot be asked. */
async function readAges(clients: AwsClients, names: string[], options: StatsOptions): Promise<Map<string, number | null> | undefined> {
  try {
    return await oldestMessageAges(await clients.cloudwatch(), names, options.signal ? { signal: options.signal } : {});
  } catch (e: unknown) {
    if (options.signal?.aborted) throw e;
    // Depths still count without ages: say why once and go on.
    options.notify?.(
      `the age of the oldest message is unknown: CloudWatch GetMetricData failed (${sdkErrorName(e)}: ${sdkErrorMessage(e).split('\n')[0]})`,
    );
    return undefined;
  }
}
