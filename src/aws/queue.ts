/**
 * The SQS adapter: the only place that sends SQS commands. Batch calls return
 * per-entry outcomes (SQS answers 200 with a `Failed[]` list even when entries fail).
 */
import {
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
  type Message,
  type MessageAttributeValue,
  type MessageSystemAttributeName,
  type QueueAttributeName,
} from '@aws-sdk/client-sqs';
import { PurgeInProgressError, QueueNotFoundError, UsageError } from '../core/errors.js';
import { isValidQueueName, QUEUE_NAME_HINT } from '../core/topology.js';
import { sdkErrorMessage, sdkErrorName, translateCommonError } from './errors.js';

export interface QueueRef {
  name: string;
  url: string;
  fifo: boolean;
  arn: string;
  contentBasedDeduplication: boolean;
  /** The DLQ's ARN from the redrive policy, when there is one. */
  deadLetterTargetArn?: string;
  maxReceiveCount?: number;
}

export interface SendEntry {
  id: string;
  body: string;
  groupId?: string;
  deduplicationId?: string;
  attributes?: Record<string, MessageAttributeValue>;
  delaySeconds?: number;
}

export interface EntryFailure {
  id: string;
  code: string;
  message: string;
  /** True when resending the same entry cannot succeed. */
  senderFault: boolean;
}

export interface BatchOutcome<S> {
  successful: S[];
  failed: EntryFailure[];
}

/** What an SQS or SNS batch call answers, entry by entry. */
interface BatchReply<E> {
  Successful?: E[];
  Failed?: { Id?: string; Code?: string; Message?: string; SenderFault?: boolean }[];
}

/** A batch call's answer as a BatchOutcome: each accepted entry through `success`, each refused one as an EntryFailure. */
export function batchOutcome<E, S>(out: BatchReply<E>, success: (entry: E) => S): BatchOutcome<S> {
  return {
    successful: (out.Successful ?? []).map((e) => success(e)),
    failed: (out.Failed ?? []).map((f) => ({
      id: f.Id ?? '',
      code: f.Code ?? 'Unknown',
      message: f.Message ?? '',
      senderFault: f.SenderFault ?? false,
    })),
  };
}

const NOT_FOUND = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);
/** What an endpoint answers for an action it lacks (emulators) or an account may not use. */
const UNSUPPORTED = new Set([
  'InvalidAction',
  'UnsupportedOperation',
  'AWS.SimpleQueueService.UnsupportedOperation',
  'UnknownOperationException',
  'AccessDenied',
  'AccessDeniedException',
]);

/** A message move task (StartMessageMoveTask), as ListMessageMoveTasks reports it. */
export interface MoveTask {
  /** Only set while the task runs. */
  taskHandle?: string;
  status: 'RUNNING' | 'FAILED' | 'CANCELLING' | 'CANCELLED' | 'COMPLETED' | string;
  sourceArn: string;
  destinationArn?: string;
  moved: number;
  toMove?: number;
  failureReason?: string;
  startedAt?: number;
}

/** Either the answer, or why this endpoint or account cannot do it (the caller falls back). */
export type MaybeSupported<T> = { supported: true; value: T } | { supported: false; reason: string };

/** A received message's attributes as SendMessage takes them (only the fields it accepts). */
export function sendableAttributes(
  received:
    | Record<string, { DataType?: string | undefined; StringValue?: string | undefined; BinaryValue?: Uint8Array | undefined }>
    | undefined,
): Record<string, MessageAttributeValue> {
  const attrs: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(received ?? {})) {
    attrs[k] = {
      DataType: v.DataType ?? 'String',
      StringValue: v.StringValue,
      BinaryValue: v.BinaryValue,
    };
  }
  return attrs;
}

/** A RedrivePolicy attribute read: the DLQ's ARN and the receive count that sends a message there. */
export function redrivePolicyOf(policy: string | undefined): Pick<QueueRef, 'deadLetterTargetArn' | 'maxReceiveCount'> {
  if (!policy) return {};
  try {
    const { deadLetterTargetArn, maxReceiveCount } = JSON.parse(policy) as {
      deadLetterTargetArn?: string;
      maxReceiveCount?: number | string;
    };
    return {
      ...(deadLetterTargetArn ? { deadLetterTargetArn } : {}),
      ...(maxReceiveCount !== undefined ? { maxReceiveCount: Number(maxReceiveCount) } : {}),
    };
  } catch {
    return {}; // a malformed policy is SQS's to report, not ours
  }
}

export function isQueueUrl(value: string): boolean {
  return /^https?:\/\//.test(value);
}

export function queueNameFromUrl(url: string): string {
  return url.replace(/\/+$/, '').split('/').pop() ?? url;
}

function validateQueueName(name: string): void {
  if (!isValidQueueName(name)) throw new UsageError(`"${name}" is not a valid queue name`, { hint: QUEUE_NAME_HINT });
}

export interface QueueSpec {
  name: string;
  attributes?: Partial<Record<QueueAttributeName, string>>;
}

export class SqsQueues {
  constructor(
    private readonly sqs: SQSClient,
    private readonly signal?: AbortSignal,
    private readonly endpoint?: string,
  ) {}

  private fail(e: unknown, queue?: string): never {
    if (queue !== undefined && NOT_FOUND.has(sdkErrorName(e))) throw new QueueNotFoundError(queue, { cause: e });
    throw translateCommonError(e, { service: 'SQS', endpoint: this.endpoint }) ?? e;
  }

  private async sendCmd<T>(make: () => Promise<T>, queue?: string): Promise<T> {
    try {
      return await make();
    } catch (e: unknown) {
      this.fail(e, queue);
    }
  }

  /** The URL of a queue by name, or undefined if it does not exist. */
  async findUrl(name: string): Promise<string | undefined> {
    validateQueueName(name);
    try {
      const out = await this.sqs.send(new GetQueueUrlCommand({ QueueName: name }), { abortSignal: this.signal });
      return out.QueueUrl;
    } catch (e: unknown) {
      if (NOT_FOUND.has(sdkErrorName(e))) return undefined;
      this.fail(e);
    }
  }

  async attributes(url: string, names: QueueAttributeName[] = ['All']): Promise<Record<string, string>> {
    const out = await this.sendCmd(
      () => this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }), { abortSignal: this.signal }),
      queueNameFromUrl(url),
    );
    return out.Attributes ?? {};
  }

  /** Resolves a name or URL to a QueueRef; throws QueueNotFoundError if it does not exist. */
  async resolve(nameOrUrl: string): Promise<QueueRef> {
    const url = isQueueUrl(nameOrUrl) ? nameOrUrl : await this.findUrl(nameOrUrl);
    if (!url) throw new QueueNotFoundError(nameOrUrl);
    return this.describe(url);
  }

  async describe(url: string): Promise<QueueRef> {
    const attrs = await this.attributes(url, ['QueueArn', 'FifoQueue', 'ContentBasedDeduplication', 'RedrivePolicy']);
    const name = queueNameFromUrl(url);
    const ref: QueueRef = {
      name,
      url,
      arn: attrs.QueueArn ?? '',
      fifo: attrs.FifoQueue === 'true' || name.endsWith('.fifo'),
      contentBasedDeduplication: attrs.ContentBasedDeduplication === 'true',
    };
    return { ...ref, ...redrivePolicyOf(attrs.RedrivePolicy) };
  }

  async create(spec: QueueSpec): Promise<string> {
    validateQueueName(spec.name);
    const out = await this.sendCmd(() =>
      this.sqs.send(new CreateQueueCommand({ QueueName: spec.name, Attributes: spec.attributes }), { abortSignal: this.signal }),
    );
    if (!out.QueueUrl) throw new Error(`CreateQueue returned no URL for ${spec.name}`);
    return out.QueueUrl;
  }

  /** DeleteQueue: the queue and every message in it. */
  async remove(url: string): Promise<void> {
    await this.sendCmd(() => this.sqs.send(new DeleteQueueCommand({ QueueUrl: url }), { abortSignal: this.signal }), queueNameFromUrl(url));
  }

  async setAttributes(url: string, attributes: Partial<Record<QueueAttributeName, string>>): Promise<void> {
    await this.sendCmd(
      () => this.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }), { abortSignal: this.signal }),
      queueNameFromUrl(url),
    );
  }

  async list(prefix?: string): Promise<string[]> {
    const urls: string[] = [];
    let NextToken: string | undefined;
    do {
      const out = await this.sendCmd(() =>
        this.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1000, NextToken }), { abortSignal: this.signal }),
      );
      urls.push(...(out.QueueUrls ?? []));
      NextToken = out.NextToken;
    } while (NextToken);
    return urls.sort();
  }

  async sendBatch(url: string, entries: SendEntry[]): Promise<BatchOutcome<{ id: string; messageId: string }>> {
    const out = await this.sendCmd(
      () =>
        this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: entries.map((e) => ({
              Id: e.id,
              MessageBody: e.body,
              MessageGroupId: e.groupId,
              MessageDeduplicationId: e.deduplicationId,
              MessageAttributes: e.attributes,
              DelaySeconds: e.delaySeconds,
            })),
          }),
          { abortSignal: this.signal },
        ),
      queueNameFromUrl(url),
    );
    return batchOutcome(out, (s) => ({ id: s.Id ?? '', messageId: s.MessageId ?? '' }));
  }

  async receive(
    url: string,
    options: {
      max: number;
      waitSeconds: number;
      visibilityTimeout?: number;
      /** System attributes to ask for (fewer is less to send and parse). @default all */
      systemAttributes?: MessageSystemAttributeName[];
    },
  ): Promise<Message[]> {
    const out = await this.sendCmd(
      () =>
        this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: Math.min(10, Math.max(1, options.max)),
            WaitTimeSeconds: options.waitSeconds,
            VisibilityTimeout: options.visibilityTimeout,
            MessageSystemAttributeNames: options.systemAttributes ?? ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.signal },
        ),
      queueNameFromUrl(url),
    );
    return out.Messages ?? [];
  }

  async deleteBatch(url: string, entries: { id: string; receiptHandle: string }[]): Promise<BatchOutcome<string>> {
    if (entries.length === 0) return { successful: [], failed: [] };
    const out = await this.sendCmd(
      () =>
        this.sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: url, Entries: entries.map((e) => ({ Id: e.id, ReceiptHandle: e.receiptHandle })) }),
          { abortSignal: this.signal },
        ),
      queueNameFromUrl(url),
    );
    return batchOutcome(out, (s) => s.Id ?? '');
  }

  /** Runs an optional action; an endpoint or account without it answers `supported: false`. */
  private async optional<T>(make: () => Promise<T>, queue?: string): Promise<MaybeSupported<T>> {
    try {
      return { supported: true, value: await make() };
    } catch (e: unknown) {
      const name = sdkErrorName(e);
      if (UNSUPPORTED.has(name)) return { supported: false, reason: `${name}: ${sdkErrorMessage(e).split('\n')[0]}` };
      this.fail(e, queue);
    }
  }

  /** The URLs of the queues whose redrive policy names this queue as their DLQ. */
  async deadLetterSourceQueues(url: string): Promise<MaybeSupported<string[]>> {
    return this.optional(async () => {
      const urls: string[] = [];
      let NextToken: string | undefined;
      do {
        const out = await this.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: url, MaxResults: 1000, NextToken }), {
          abortSignal: this.signal,
        });
        urls.push(...(out.queueUrls ?? []));
        NextToken = out.NextToken;
      } while (NextToken);
      return urls.sort();
    }, queueNameFromUrl(url));
  }

  /** Starts SQS's own move of a DLQ's messages; without a destination they go back to their sources. */
  async startMoveTask(
    sourceArn: string,
    options: { destinationArn?: string; maxPerSecond?: number } = {},
  ): Promise<MaybeSupported<string>> {
    return this.optional(async () => {
      const out = await this.sqs.send(
        new StartMessageMoveTaskCommand({
          SourceArn: sourceArn,
          DestinationArn: options.destinationArn,
          MaxNumberOfMessagesPerSecond: options.maxPerSecond,
        }),
        { abortSignal: this.signal },
      );
      if (!out.TaskHandle) throw new Error(`StartMessageMoveTask returned no task handle for ${sourceArn}`);
      return out.TaskHandle;
    });
  }

  /** The most recent move tasks of a DLQ, newest first. */
  async listMoveTasks(sourceArn: string): Promise<MaybeSupported<MoveTask[]>> {
    return this.optional(async () => {
      const out = await this.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }), {
        abortSignal: this.signal,
      });
      return (out.Results ?? []).map((r) => ({
        taskHandle: r.TaskHandle,
        status: r.Status ?? 'UNKNOWN',
        sourceArn: r.SourceArn ?? sourceArn,
        destinationArn: r.DestinationArn,
        moved: r.ApproximateNumberOfMessagesMoved ?? 0,
        toMove: r.ApproximateNumberOfMessagesToMove,
        failureReason: r.FailureReason,
        startedAt: r.StartedTimestamp,
      }));
    });
  }

  /** Cancels a running move task; the messages it moved stay moved. Returns how many that was. */
  async cancelMoveTask(taskHandle: string): Promise<number> {
    const out = await this.sendCmd(() =>
      this.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: taskHandle }), { abortSignal: this.signal }),
    );
    return out.ApproximateNumberOfMessagesMoved ?? 0;
  }

  /**
   * Empties a queue (PurgeQueue). SQS allows one purge per queue per 60 seconds and
   * answers PurgeQueueInProgress inside that window: that becomes a PurgeInProgressError.
   */
  async purge(url: string): Promise<void> {
    try {
      await this.sqs.send(new PurgeQueueCommand({ QueueUrl: url }), { abortSignal: this.signal });
    } catch (e: unknown) {
      if (/PurgeQueueInProgress/.test(sdkErrorName(e)))
        throw new PurgeInProgressError(queueNameFromUrl(url), { cause: e, said: sdkErrorMessage(e) });
      this.fail(e, queueNameFromUrl(url));
    }
  }

  async changeVisibilityBatch(
    url: string,
    entries: { id: string; receiptHandle: string; visibilityTimeout: number }[],
  ): Promise<BatchOutcome<string>> {
    if (entries.length === 0) return { successful: [], failed: [] };
    const out = await this.sendCmd(
      () =>
        this.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: url,
            Entries: entries.map((e) => ({ Id: e.id, ReceiptHandle: e.receiptHandle, VisibilityTimeout: e.visibilityTimeout })),
          }),
          { abortSignal: this.signal },
        ),
      queueNameFromUrl(url),
    );
    return batchOutcome(out, (s) => s.Id ?? '');
  }
}

export { sdkErrorMessage };
