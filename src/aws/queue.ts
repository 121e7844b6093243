/**
 * The SQS adapter: the only place that sends SQS commands. Batch calls return
 * per-entry outcomes (SQS answers 200 with a `Failed[]` list even when entries fail).
 */
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SetQueueAttributesCommand,
  type SQSClient,
  type Message,
  type MessageAttributeValue,
  type QueueAttributeName,
} from '@aws-sdk/client-sqs';
import { QueueNotFoundError, UsageError } from '../core/errors.js';
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

const NOT_FOUND = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);

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
    throw translateCommonError(e, { service: 'SQS', ...(this.endpoint ? { endpoint: this.endpoint } : {}) }) ?? e;
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
    if (attrs.RedrivePolicy) {
      try {
        const policy = JSON.parse(attrs.RedrivePolicy) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
        if (policy.deadLetterTargetArn) ref.deadLetterTargetArn = policy.deadLetterTargetArn;
        if (policy.maxReceiveCount !== undefined) ref.maxReceiveCount = Number(policy.maxReceiveCount);
      } catch {
        /* a malformed policy is SQS's to report, not ours */
      }
    }
    return ref;
  }

  async create(spec: QueueSpec): Promise<string> {
    validateQueueName(spec.name);
    const out = await this.sendCmd(() =>
      this.sqs.send(new CreateQueueCommand({ QueueName: spec.name, Attributes: spec.attributes }), { abortSignal: this.signal }),
    );
    if (!out.QueueUrl) throw new Error(`CreateQueue returned no URL for ${spec.name}`);
    return out.QueueUrl;
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
              ...(e.groupId !== undefined ? { MessageGroupId: e.groupId } : {}),
              ...(e.deduplicationId !== undefined ? { MessageDeduplicationId: e.deduplicationId } : {}),
              ...(e.attributes ? { MessageAttributes: e.attributes } : {}),
              ...(e.delaySeconds !== undefined ? { DelaySeconds: e.delaySeconds } : {}),
            })),
          }),
          { abortSignal: this.signal },
        ),
      queueNameFromUrl(url),
    );
    return {
      successful: (out.Successful ?? []).map((s) => ({ id: s.Id ?? '', messageId: s.MessageId ?? '' })),
      failed: (out.Failed ?? []).map((f) => ({
        id: f.Id ?? '',
        code: f.Code ?? 'Unknown',
        message: f.Message ?? '',
        senderFault: f.SenderFault ?? false,
      })),
    };
  }

  async receive(
    url: string,
    options: { max: number; waitSeconds: number; visibilityTimeout?: number },
  ): Promise<Message[]> {
    const out = await this.sendCmd(
      () =>
        this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: Math.min(10, Math.max(1, options.max)),
            WaitTimeSeconds: options.waitSeconds,
            ...(options.visibilityTimeout !== undefined ? { VisibilityTimeout: options.visibilityTimeout } : {}),
            MessageSystemAttributeNames: ['All'],
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
    return {
      successful: (out.Successful ?? []).map((s) => s.Id ?? ''),
      failed: (out.Failed ?? []).map((f) => ({ id: f.Id ?? '', code: f.Code ?? 'Unknown', message: f.Message ?? '', senderFault: f.SenderFault ?? false })),
    };
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
    return {
      successful: (out.Successful ?? []).map((s) => s.Id ?? ''),
      failed: (out.Failed ?? []).map((f) => ({ id: f.Id ?? '', code: f.Code ?? 'Unknown', message: f.Message ?? '', senderFault: f.SenderFault ?? false })),
    };
  }
}

export { sdkErrorMessage };
