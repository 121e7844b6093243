/**
 * Where produce sends: a queue (SendMessageBatch) or an SNS topic (PublishBatch), and the
 * large-payload bucket. Opening may create the queue or bucket on the local AWS.
 */
import type { AwsClients } from '../../aws/clients.js';
import type { PayloadStore } from '../../aws/payloads.js';
import type { BatchOutcome, QueueRef, SendEntry } from '../../aws/queue.js';
import { MAX_REQUEST_BYTES } from '../../core/batching.js';
import { ResourceNotFoundError } from '../../core/errors.js';
import { openQueue, type Notify, sqsQueues } from '../../pipeline/resources.js';
import { afterGrace } from '../../core/grace.js';

/** SNS: 256 KiB per message and per PublishBatch request. */
export const SNS_MAX_BYTES = 256 * 1024;

export interface Destination {
  name: string;
  /** Queue URL or topic ARN. */
  url: string;
  topic: boolean;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  /** Request (and message) byte cap: SQS 1 MiB, SNS 256 KiB. */
  maxBytes: number;
  send(entries: SendEntry[]): Promise<BatchOutcome<{ id: string; messageId: string }>>;
}

export interface DestinationOptions {
  queue: string;
  topic?: string | undefined;
  createIfLocal?: boolean | undefined;
  signal?: AbortSignal | undefined;
  notify?: Notify | undefined;
}

export async function openDestination(clients: AwsClients, options: DestinationOptions): Promise<Destination> {
  if (options.topic) {
    const { SnsTopics } = await import('../../aws/topic.js');
    // Publishes in flight at a stop get a grace to answer (core/grace.ts); resolving the topic stops at once.
    const topics = new SnsTopics(await clients.sns(), afterGrace(options.signal), clients.endpointOf('sns'));
    const topic = await topics.resolve(options.topic);
    return {
      name: topic.name,
      url: topic.arn,
      topic: true,
      fifo: topic.fifo,
      contentBasedDeduplication: false,
      maxBytes: SNS_MAX_BYTES,
      send: (entries) => topics.publishBatch(topic.arn, entries),
    };
  }
  const ref: QueueRef = await openQueue(clients, options.queue, {
    // produce creates any queue it is told to send to on the local AWS (docs/local-aws.md, "Missing resources").
    createIfLocal: options.createIfLocal === false ? false : 'any',
    signal: options.signal,
    notify: options.notify,
  });
  // Sends in flight at a stop get a grace to answer (core/grace.ts), so they are known sent, not unconfirmed.
  const queues = await sqsQueues(clients, afterGrace(options.signal));
  return { ...ref, topic: false, maxBytes: MAX_REQUEST_BYTES, send: (entries) => queues.sendBatch(ref.url, entries) };
}

/**
 * The large-payload bucket: created on the local AWS if missing, a named error on AWS. Two
 * stores: one for the run (stopped by its signal), one that still deletes after a Ctrl-C.
 */
export async function openPayloadBucket(
  clients: AwsClients,
  bucket: string,
  options: { signal?: AbortSignal | undefined; notify?: Notify | undefined },
): Promise<{ store: PayloadStore; cleanup: PayloadStore }> {
  // S3 is loaded only when large payloads are asked for.
  const [{ ObjectStore }, { PayloadStore: Store }, s3] = await Promise.all([
    import('../../aws/objects.js'),
    import('../../aws/payloads.js'),
    clients.s3(),
  ]);
  const objects = new ObjectStore(s3, options.signal, clients.endpointOf('s3'));
  if (!(await objects.bucketExists(bucket))) {
    if (clients.target.kind !== 'local') {
      const hint = `create it with \`sqsops setup --bucket ${bucket}\``;
      throw new ResourceNotFoundError(`large-payload bucket "${bucket}" does not exist`, { hint });
    }
    await objects.createBucket(bucket, clients.target.region);
    options.notify?.(`created bucket ${bucket} on the local AWS`);
  }
  return {
    store: new Store(s3, options.signal, clients.endpointOf('s3')),
    cleanup: new Store(s3, undefined, clients.endpointOf('s3')),
  };
}
