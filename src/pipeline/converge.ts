/**
 * `sqsops setup`: converges queues (with their DLQs and redrive policies), the ledger
 * table and the bucket to a TopologyConfig. Idempotent: what exists and matches is
 * left alone, what differs is updated, what is missing is created; `dryRun` only plans.
 */
import type { AwsClients } from '../aws/clients.js';
import type { SqsQueues } from '../aws/queue.js';
import { attributeChanges, queueAttributes, type QueueConfig, type TopicConfig, type TopologyConfig } from '../core/topology.js';
import { QueueNotFoundError } from '../core/errors.js';
import { sqsQueues } from './resources.js';

export interface SetupStep {
  resource: 'queue' | 'dlq' | 'table' | 'bucket' | 'topic' | 'subscription' | 'queue policy';
  name: string;
  action: 'create' | 'update' | 'unchanged';
  changes?: Record<string, string>;
}

export interface SetupOptions {
  dryRun?: boolean;
  signal?: AbortSignal;
  onStep?: (step: SetupStep) => void;
}

async function ensureQueue(
  queues: SqsQueues,
  q: QueueConfig,
  resource: 'queue' | 'dlq',
  dlqArn: string | undefined,
  dryRun: boolean,
): Promise<{ step: SetupStep; arn: string }> {
  const wanted = queueAttributes(q, dlqArn);
  const url = await queues.findUrl(q.name);
  if (!url) {
    if (dryRun) return { step: { resource, name: q.name, action: 'create', changes: wanted }, arn: `arn:aws:sqs:(new):${q.name}` };
    const created = await queues.create({ name: q.name, attributes: wanted });
    const arn = (await queues.attributes(created, ['QueueArn'])).QueueArn ?? '';
    return { step: { resource, name: q.name, action: 'create', changes: wanted }, arn };
  }
  const current = await queues.attributes(url);
  const changes = attributeChanges(current, wanted);
  const arn = current.QueueArn ?? '';
  if (Object.keys(changes).length === 0) return { step: { resource, name: q.name, action: 'unchanged' }, arn };
  if (!dryRun) await queues.setAttributes(url, changes);
  return { step: { resource, name: q.name, action: 'update', changes }, arn };
}

export async function setupTopology(clients: AwsClients, config: TopologyConfig, options: SetupOptions = {}): Promise<SetupStep[]> {
  const { dryRun = false, signal, onStep } = options;
  const steps: SetupStep[] = [];
  const record = (s: SetupStep) => {
    steps.push(s);
    onStep?.(s);
  };
  if (config.queues.length) {
    const queues = await sqsQueues(clients, signal);
    for (const q of config.queues) {
      let dlqArn: string | undefined;
      if (q.dlq) {
        // A DLQ keeps messages as long as SQS allows: they must outlive the source's retention.
        const dlq: QueueConfig = { ...q, name: q.dlq.name, dlq: false, retentionSeconds: 1_209_600 };
        const r = await ensureQueue(queues, dlq, 'dlq', undefined, dryRun);
        record(r.step);
        dlqArn = r.arn;
      }
      record((await ensureQueue(queues, q, 'queue', dlqArn, dryRun)).step);
    }
  }
  for (const topic of config.topics ?? []) await ensureTopic(clients, topic, dryRun, signal, record);
  // DynamoDB, S3 and SNS are loaded only when asked for: produce creating a missing queue on the
  // local AWS comes through here, and their SDKs would add a third to its start-up.
  if (config.ledgerTable) {
    const { Ledger } = await import('../aws/ledger.js');
    const ledger = new Ledger(await clients.dynamodb(), config.ledgerTable, signal, clients.endpointOf('dynamodb'));
    const exists = await ledger.exists();
    if (!exists && !dryRun) await ledger.create();
    record({ resource: 'table', name: config.ledgerTable, action: exists ? 'unchanged' : 'create' });
  }
  if (config.bucket) {
    const { ObjectStore } = await import('../aws/objects.js');
    const objects = new ObjectStore(await clients.s3(), signal, clients.endpointOf('s3'));
    const exists = await objects.bucketExists(config.bucket);
    if (!exists && !dryRun) await objects.createBucket(config.bucket, clients.target.region);
    record({ resource: 'bucket', name: config.bucket, action: exists ? 'unchanged' : 'create' });
  }
  return steps;
}

/** A topic, the queue policies that let it send, and its SQS subscriptions. */
async function ensureTopic(
  clients: AwsClients,
  topic: TopicConfig,
  dryRun: boolean,
  signal: AbortSignal | undefined,
  record: (s: SetupStep) => void,
): Promise<void> {
  const { SnsTopics, mergeQueuePolicy, subscriptionAttributes, topicSendStatement } = await import('../aws/topic.js');
  const topics = new SnsTopics(await clients.sns(), signal, clients.endpointOf('sns'));
  const queues = await sqsQueues(clients, signal);
  let ref = await topics.find(topic.name);
  record({ resource: 'topic', name: topic.name, action: ref ? 'unchanged' : 'create' });
  if (!ref && !dryRun) ref = await topics.create(topic.name);
  const existing = ref ? await topics.sqsSubscriptions(ref.arn) : new Map<string, string>();
  for (const sub of topic.subscriptions) {
    const url = await queues.findUrl(sub.queue);
    if (!url && !dryRun)
      throw new QueueNotFoundError(sub.queue, {
        hint: `declare it under "queues" so setup creates it before subscribing it to ${topic.name}`,
      });
    const attrs = url ? await queues.attributes(url, ['QueueArn', 'Policy']) : {};
    const queueArn = attrs.QueueArn ?? `arn:aws:sqs:(new):${sub.queue}`;
    const topicArn = ref?.arn ?? `arn:aws:sns:(new):${topic.name}`;
    const policy = mergeQueuePolicy(attrs.Policy, topicSendStatement(topicArn, queueArn));
    if (policy) {
      if (!dryRun && url) await queues.setAttributes(url, { Policy: policy });
      record({
        resource: 'queue policy',
        name: sub.queue,
        action: attrs.Policy ? 'update' : 'create',
        changes: { allow: `sns:${topic.name} → sqs:SendMessage` },
      });
    }
    const wanted = subscriptionAttributes({
      queueArn,
      rawDelivery: sub.rawDelivery,
      filterPolicy: sub.filterPolicy,
      filterPolicyScope: sub.filterPolicyScope,
    });
    const name = `${topic.name} → ${sub.queue}`;
    const subscriptionArn = existing.get(queueArn);
    if (!subscriptionArn) {
      if (!dryRun && ref)
        await topics.subscribe(ref.arn, {
          queueArn,
          rawDelivery: sub.rawDelivery,
          filterPolicy: sub.filterPolicy,
          filterPolicyScope: sub.filterPolicyScope,
        });
      record({ resource: 'subscription', name, action: 'create', changes: wanted });
      continue;
    }
    const current = await topics.subscriptionAttributes(subscriptionArn);
    const changes: Record<string, string> = {};
    for (const [k, v] of Object.entries(wanted)) {
      const same =
        k === 'FilterPolicy' && current[k] ? JSON.stringify(JSON.parse(current[k]!)) === JSON.stringify(JSON.parse(v)) : current[k] === v;
      if (!same) changes[k] = v;
    }
    if (!wanted.FilterPolicy && current.FilterPolicy) changes.FilterPolicy = '{}';
    if (!dryRun) for (const [k, v] of Object.entries(changes)) await topics.setSubscriptionAttribute(subscriptionArn, k, v);
    record({
      resource: 'subscription',
      name,
      action: Object.keys(changes).length ? 'update' : 'unchanged',
      ...(Object.keys(changes).length ? { changes } : {}),
    });
  }
}
