/**
 * The topology `sqsops setup` creates, as a schema: parsing is pure and returns every
 * problem at once (with its JSON path) rather than stopping at the first.
 */
import { DEFAULTS } from '../config.js';

export interface QueueConfig {
  name: string;
  /** Defaults to whether the name ends in .fifo. */
  fifo: boolean;
  /** The DLQ; `false` for none. @default `${name}-dlq` with maxReceiveCount `DEFAULTS.maxReceiveCount` */
  dlq: { name: string; maxReceiveCount: number } | false;
  /** @default DEFAULTS.setup.visibilityTimeout */
  visibilityTimeout: number;
  /** Long-poll wait. @default DEFAULTS.setup.waitTime */
  waitTimeSeconds: number;
  /** @default DEFAULTS.setup.retention (4 days, SQS's default) */
  retentionSeconds: number;
  /** FIFO only. @default false */
  contentBasedDeduplication: boolean;
}

export interface SubscriptionConfig {
  /** Queue name (declared in "queues" or already existing). */
  queue: string;
  /** Deliver the published message as it is, without the SNS envelope. @default false */
  rawDelivery: boolean;
  filterPolicy?: unknown;
  /** @default "MessageAttributes" */
  filterPolicyScope?: 'MessageAttributes' | 'MessageBody';
}

export interface TopicConfig {
  name: string;
  fifo: boolean;
  subscriptions: SubscriptionConfig[];
}

export interface TopologyConfig {
  queues: QueueConfig[];
  /** SNS topics fanned out to SQS queues. @default [] */
  topics?: TopicConfig[];
  /** Ledger table; `false` for none. */
  ledgerTable: string | false;
  /** Bucket; `false` for none. */
  bucket: string | false;
}

/** SQS: 1-80 characters of letters, digits, - and _, FIFO names ending in ".fifo". */
export function isValidQueueName(name: string): boolean {
  return name.length <= 80 && /^[A-Za-z0-9_-]{1,75}(\.fifo)?$/.test(name);
}

export const QUEUE_NAME_HINT = 'use up to 80 letters, digits, - and _ (FIFO queues end in .fifo)';

export function dlqNameFor(queue: string): string {
  return queue.endsWith('.fifo') ? `${queue.slice(0, -5)}-dlq.fifo` : `${queue}-dlq`;
}

type Problems = string[];

function int(v: unknown, path: string, min: number, max: number, fallback: number, problems: Problems): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    problems.push(`${path} must be a whole number from ${min} to ${max}`);
    return fallback;
  }
  return v;
}

function str(v: unknown, path: string, problems: Problems): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') {
    problems.push(`${path} must be a non-empty string`);
    return undefined;
  }
  return v.trim();
}

export function parseQueueConfig(raw: unknown, path: string, problems: Problems): QueueConfig | undefined {
  if (typeof raw === 'string') raw = { name: raw };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${path} must be a queue name or an object with "name"`);
    return undefined;
  }
  const q = raw as Record<string, unknown>;
  const known = new Set([
    'name',
    'fifo',
    'dlq',
    'visibilityTimeout',
    'waitTimeSeconds',
    'retentionSeconds',
    'contentBasedDeduplication',
    'maxReceiveCount',
  ]);
  for (const k of Object.keys(q)) if (!known.has(k)) problems.push(`${path}.${k} is not a queue setting (known: ${[...known].join(', ')})`);
  const name = str(q.name, `${path}.name`, problems);
  if (!name) {
    if (q.name === undefined) problems.push(`${path}.name is required`);
    return undefined;
  }
  if (!isValidQueueName(name)) problems.push(`"${name}" is not a valid queue name (${QUEUE_NAME_HINT})`);
  const fifo = q.fifo === undefined ? name.endsWith('.fifo') : q.fifo === true;
  if (typeof q.fifo !== 'undefined' && typeof q.fifo !== 'boolean') problems.push(`${path}.fifo must be true or false`);
  if (fifo !== name.endsWith('.fifo')) problems.push(`${path}: a FIFO queue's name must end in .fifo (and only a FIFO queue's)`);
  const maxReceiveCount = int(q.maxReceiveCount, `${path}.maxReceiveCount`, 1, 1000, DEFAULTS.maxReceiveCount, problems);
  let dlq: QueueConfig['dlq'] = { name: dlqNameFor(name), maxReceiveCount };
  if (q.dlq === false) dlq = false;
  else if (typeof q.dlq === 'string') dlq = { name: q.dlq, maxReceiveCount };
  else if (q.dlq && typeof q.dlq === 'object') {
    const d = q.dlq as Record<string, unknown>;
    dlq = {
      name: str(d.name, `${path}.dlq.name`, problems) ?? dlqNameFor(name),
      maxReceiveCount: int(d.maxReceiveCount, `${path}.dlq.maxReceiveCount`, 1, 1000, maxReceiveCount, problems),
    };
  } else if (q.dlq !== undefined) problems.push(`${path}.dlq must be a name, an object {name, maxReceiveCount} or false`);
  if (dlq && dlq.name.endsWith('.fifo') !== fifo)
    problems.push(`${path}.dlq: a FIFO queue needs a FIFO DLQ (and a standard queue a standard one)`);
  const cbd = q.contentBasedDeduplication;
  if (cbd !== undefined && typeof cbd !== 'boolean') problems.push(`${path}.contentBasedDeduplication must be true or false`);
  if (cbd === true && !fifo) problems.push(`${path}.contentBasedDeduplication applies to FIFO queues only`);
  return {
    name,
    fifo,
    dlq,
    visibilityTimeout: int(q.visibilityTimeout, `${path}.visibilityTimeout`, 0, 43_200, DEFAULTS.setup.visibilityTimeout, problems),
    waitTimeSeconds: int(q.waitTimeSeconds, `${path}.waitTimeSeconds`, 0, 20, DEFAULTS.setup.waitTime, problems),
    retentionSeconds: int(q.retentionSeconds, `${path}.retentionSeconds`, 60, 1_209_600, DEFAULTS.setup.retention, problems),
    contentBasedDeduplication: cbd === true,
  };
}

function parseTopicConfig(raw: unknown, path: string, problems: Problems): TopicConfig | undefined {
  if (typeof raw === 'string') raw = { name: raw };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${path} must be a topic name or an object with "name" and "subscriptions"`);
    return undefined;
  }
  const t = raw as Record<string, unknown>;
  for (const k of Object.keys(t))
    if (!['name', 'subscriptions'].includes(k)) problems.push(`${path}.${k} is not a topic setting (known: name, subscriptions)`);
  const name = str(t.name, `${path}.name`, problems);
  if (!name) {
    if (t.name === undefined) problems.push(`${path}.name is required`);
    return undefined;
  }
  if (!/^[A-Za-z0-9_-]{1,251}(\.fifo)?$/.test(name))
    problems.push(`"${name}" is not a valid topic name (letters, digits, - and _; FIFO topics end in .fifo)`);
  const fifo = name.endsWith('.fifo');
  const subscriptions: SubscriptionConfig[] = [];
  if (t.subscriptions !== undefined && !Array.isArray(t.subscriptions)) problems.push(`${path}.subscriptions must be an array`);
  const listed: unknown[] = Array.isArray(t.subscriptions) ? t.subscriptions : [];
  for (const [i, raw] of listed.entries()) {
    const at = `${path}.subscriptions[${i}]`;
    const sub = (typeof raw === 'string' ? { queue: raw } : raw) as Record<string, unknown> | null;
    if (!sub || typeof sub !== 'object') {
      problems.push(`${at} must be a queue name or an object with "queue"`);
      continue;
    }
    for (const k of Object.keys(sub))
      if (!['queue', 'rawDelivery', 'filterPolicy', 'filterPolicyScope'].includes(k))
        problems.push(`${at}.${k} is not a subscription setting (known: queue, rawDelivery, filterPolicy, filterPolicyScope)`);
    const queue = str(sub.queue, `${at}.queue`, problems);
    if (!queue) {
      if (sub.queue === undefined) problems.push(`${at}.queue is required`);
      continue;
    }
    if (queue.endsWith('.fifo') !== fifo)
      problems.push(`${at}: a FIFO topic delivers to FIFO queues only (and a standard topic to standard queues)`);
    if (sub.rawDelivery !== undefined && typeof sub.rawDelivery !== 'boolean') problems.push(`${at}.rawDelivery must be true or false`);
    if (sub.filterPolicy !== undefined && (sub.filterPolicy === null || typeof sub.filterPolicy !== 'object'))
      problems.push(`${at}.filterPolicy must be an object`);
    const scope = sub.filterPolicyScope;
    if (scope !== undefined && scope !== 'MessageAttributes' && scope !== 'MessageBody')
      problems.push(`${at}.filterPolicyScope must be "MessageAttributes" or "MessageBody"`);
    subscriptions.push({
      queue,
      rawDelivery: sub.rawDelivery === true,
      filterPolicy: sub.filterPolicy,
      ...(scope === 'MessageAttributes' || scope === 'MessageBody' ? { filterPolicyScope: scope } : {}),
    });
  }
  return { name, fifo, subscriptions };
}

/** Pure: validates a parsed JSON config file. */
export function parseTopology(raw: unknown): { config?: TopologyConfig; problems: string[] } {
  const problems: Problems = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { problems: ['the config must be a JSON object with "queues", "ledgerTable" and/or "bucket"'] };
  }
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!['queues', 'topics', 'ledgerTable', 'bucket', '$schema'].includes(k))
      problems.push(`"${k}" is not a setting (known: queues, topics, ledgerTable, bucket)`);
  }
  const queues: QueueConfig[] = [];
  if (r.queues !== undefined && !Array.isArray(r.queues)) problems.push('queues must be an array');
  else
    (r.queues as unknown[] | undefined)?.forEach((q, i) => {
      const parsed = parseQueueConfig(q, `queues[${i}]`, problems);
      if (parsed) queues.push(parsed);
    });
  const optName = (v: unknown, key: string): string | false => {
    if (v === undefined || v === false) return false;
    return str(v, key, problems) ?? false;
  };
  const topics: TopicConfig[] = [];
  if (r.topics !== undefined && !Array.isArray(r.topics)) problems.push('topics must be an array');
  else
    (r.topics as unknown[] | undefined)?.forEach((t, i) => {
      const parsed = parseTopicConfig(t, `topics[${i}]`, problems);
      if (parsed) topics.push(parsed);
    });
  const config: TopologyConfig = {
    queues,
    ...(topics.length ? { topics } : {}),
    ledgerTable: optName(r.ledgerTable, 'ledgerTable'),
    bucket: optName(r.bucket, 'bucket'),
  };
  return problems.length ? { problems } : { config, problems };
}

/** The SQS attributes a QueueConfig asks for (the redrive policy needs the DLQ's ARN). */
export function queueAttributes(q: QueueConfig, dlqArn?: string): Record<string, string> {
  const attrs: Record<string, string> = {
    VisibilityTimeout: String(q.visibilityTimeout),
    ReceiveMessageWaitTimeSeconds: String(q.waitTimeSeconds),
    MessageRetentionPeriod: String(q.retentionSeconds),
  };
  if (q.fifo) {
    attrs.FifoQueue = 'true';
    attrs.ContentBasedDeduplication = String(q.contentBasedDeduplication);
  }
  if (q.dlq && dlqArn) attrs.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: q.dlq.maxReceiveCount });
  return attrs;
}

/** The attributes whose current value differs from the wanted one (RedrivePolicy compared as JSON). */
export function attributeChanges(current: Record<string, string>, wanted: Record<string, string>): Record<string, string> {
  const changes: Record<string, string> = {};
  for (const [k, v] of Object.entries(wanted)) {
    if (k === 'FifoQueue') continue; // immutable; a mismatch is caught by the name rule
    const cur = current[k];
    if (k === 'RedrivePolicy' && cur) {
      try {
        const a = JSON.parse(cur) as { deadLetterTargetArn?: string; maxReceiveCount?: unknown };
        const b = JSON.parse(v) as { deadLetterTargetArn?: string; maxReceiveCount?: unknown };
        if (a.deadLetterTargetArn === b.deadLetterTargetArn && Number(a.maxReceiveCount) === Number(b.maxReceiveCount)) continue;
      } catch {
        /* unparsable: replace it */
      }
    }
    if (cur !== v) changes[k] = v;
  }
  return changes;
}
