/**
 * The queue a worker consumes, polled in the background for its live gauges: depths from
 * GetQueueAttributes (never a receive), the oldest message's age from CloudWatch (the same
 * call `stats` makes; the local AWS answers it too). A scrape reads the last poll, so
 * scraping often costs the queue nothing.
 */
import type { AwsClients } from '../../aws/clients.js';
import { oldestMessageAges } from '../../aws/cloudwatch.js';
import { sdkErrorMessage, sdkErrorName } from '../../aws/errors.js';
import type { QueueReading } from './prometheus.js';
import { queueCounters } from '../../aws/queueCounters.js';
import { sqsQueues } from '../../pipeline/resources.js';

export interface QueueWatchOptions {
  /** Depths are read this often. @default 10000 */
  intervalMs?: number;
  /** The age is asked this often: CloudWatch has one datapoint a minute on AWS. @default 60000 */
  ageIntervalMs?: number;
  /** Hears, once each, why a reading failed. */
  notify?: (message: string) => void;
}

export interface QueueWatch {
  latest(): QueueReading;
  stop(): void;
}

const UNKNOWN: QueueReading = { visible: null, notVisible: null, delayed: null, oldestAgeSeconds: null };

export function watchQueue(clients: AwsClients, queue: { name: string; url: string }, options: QueueWatchOptions = {}): QueueWatch {
  const { intervalMs = 10_000, ageIntervalMs = 60_000 } = options;
  const said = new Set<string>();
  const note = (what: string, e: unknown) => {
    const line = `live metrics: cannot read ${what} (${sdkErrorName(e)}: ${sdkErrorMessage(e).split('\n')[0]}); its gauge shows NaN`;
    if (!said.has(what)) options.notify?.(line);
    said.add(what);
  };
  let reading: QueueReading = { ...UNKNOWN };
  let ageAt = Number.NEGATIVE_INFINITY;
  let stopped = false;

  const readDepths = async (): Promise<Partial<QueueReading>> => {
    try {
      const queues = await sqsQueues(clients);
      return await queueCounters(queues, queue.url);
    } catch (e: unknown) {
      note('the queue depth', e);
      return { visible: null, notVisible: null, delayed: null };
    }
  };
  const readAge = async (): Promise<Partial<QueueReading>> => {
    if (Date.now() - ageAt < ageIntervalMs) return {};
    ageAt = Date.now();
    try {
      const ages = await oldestMessageAges(await clients.cloudwatch(), [queue.name]);
      return { oldestAgeSeconds: ages.get(queue.name) ?? null };
    } catch (e: unknown) {
      note('the age of the oldest message from CloudWatch', e);
      return { oldestAgeSeconds: null };
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    const [depths, age] = await Promise.all([readDepths(), readAge()]);
    if (stopped) return;
    reading = { ...reading, ...depths, ...age };
    // The next poll is set when this one is done: a slow answer never piles polls up.
    timer = setTimeout(() => void poll(), intervalMs);
    timer.unref();
  };
  void poll();
  return {
    latest: () => reading,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
