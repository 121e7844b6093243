/**
 * `stats`: depth of every queue (or those whose name starts with a prefix): visible, in
 * flight, delayed, and the depth of its DLQ from the redrive policy. The age of the
 * oldest message is a CloudWatch metric (ApproximateAgeOfOldestMessage), not something
 * the SQS API answers, and peeking would disturb the messages: it is reported as
 * unknown rather than guessed.
 */
import type { AwsClients } from '../aws/clients.js';
import { SqsQueues, queueNameFromUrl } from '../aws/queue.js';

export interface QueueStats {
  name: string;
  url: string;
  visible: number;
  inFlight: number;
  delayed: number;
  fifo: boolean;
  /** The DLQ named by the redrive policy, and its visible depth. */
  dlq?: { name: string; visible: number };
  /** True when this queue is some queue's DLQ. */
  isDlq: boolean;
}

export async function queueStats(clients: AwsClients, options: { prefix?: string; signal?: AbortSignal } = {}): Promise<QueueStats[]> {
  const queues = new SqsQueues(await clients.sqs(), options.signal, clients.endpointOf('sqs'));
  const urls = await queues.list(options.prefix);
  const rows = await Promise.all(
    urls.map(async (url) => {
      const a = await queues.attributes(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed', 'RedrivePolicy', 'FifoQueue', 'QueueArn']);
      let dlqName: string | undefined;
      try {
        dlqName = a.RedrivePolicy ? (JSON.parse(a.RedrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn?.split(':').pop() : undefined;
      } catch {
        dlqName = undefined;
      }
      return {
        name: queueNameFromUrl(url),
        url,
        visible: Number(a.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
        fifo: a.FifoQueue === 'true',
        dlqName,
      };
    }),
  );
  const byName = new Map(rows.map((r) => [r.name, r]));
  const dlqNames = new Set(rows.map((r) => r.dlqName).filter(Boolean));
  const out: QueueStats[] = [];
  for (const { dlqName, ...r } of rows) {
    let dlq: QueueStats['dlq'];
    if (dlqName) {
      const known = byName.get(dlqName);
      const visible = known ? known.visible : Number((await queues.attributes((await queues.findUrl(dlqName)) ?? '', ['ApproximateNumberOfMessages']).catch(() => ({}) as Record<string, string>)).ApproximateNumberOfMessages ?? 0);
      dlq = { name: dlqName, visible };
    }
    out.push({ ...r, ...(dlq ? { dlq } : {}), isDlq: dlqNames.has(r.name) });
  }
  return out;
}
