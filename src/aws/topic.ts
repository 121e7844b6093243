/** The SNS adapter: topics, SQS subscriptions and batch publishing. Only this file sends SNS commands. */
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
  GetSubscriptionAttributesCommand,
  type SNSClient,
  type MessageAttributeValue,
} from '@aws-sdk/client-sns';
import { ResourceNotFoundError, UsageError } from '../core/errors.js';
import { translateCommonError } from './errors.js';
import { batchOutcome, type BatchOutcome } from './queue.js';

export interface TopicRef {
  name: string;
  arn: string;
  fifo: boolean;
}

export interface PublishEntry {
  id: string;
  body: string;
  groupId?: string;
  deduplicationId?: string;
  attributes?: Record<string, MessageAttributeValue>;
}

export interface SubscriptionSpec {
  queueArn: string;
  rawDelivery: boolean;
  filterPolicy?: unknown;
  filterPolicyScope?: 'MessageAttributes' | 'MessageBody';
}

export function isTopicArn(value: string): boolean {
  return value.startsWith('arn:aws:sns:');
}

export function validateTopicName(name: string): void {
  // SNS: 1-256 letters, digits, - and _; FIFO topics end in .fifo.
  if (!/^[A-Za-z0-9_-]{1,251}(\.fifo)?$/.test(name)) {
    throw new UsageError(`"${name}" is not a valid topic name`, { hint: 'use letters, digits, - and _ (FIFO topics end in .fifo)' });
  }
}

export class SnsTopics {
  constructor(
    private readonly sns: SNSClient,
    private readonly signal?: AbortSignal,
    private readonly endpoint?: string,
  ) {}

  private async call<T>(make: () => Promise<T>): Promise<T> {
    try {
      return await make();
    } catch (e: unknown) {
      throw translateCommonError(e, { service: 'SNS', endpoint: this.endpoint }) ?? e;
    }
  }

  /** Finds a topic by name or ARN without creating it. */
  async find(nameOrArn: string): Promise<TopicRef | undefined> {
    let NextToken: string | undefined;
    do {
      const out = await this.call(() => this.sns.send(new ListTopicsCommand({ NextToken }), { abortSignal: this.signal }));
      for (const t of out.Topics ?? []) {
        const arn = t.TopicArn ?? '';
        const name = arn.split(':').pop() ?? '';
        if (arn === nameOrArn || name === nameOrArn) return { name, arn, fifo: name.endsWith('.fifo') };
      }
      NextToken = out.NextToken;
    } while (NextToken);
    return undefined;
  }

  async resolve(nameOrArn: string): Promise<TopicRef> {
    const found = await this.find(nameOrArn);
    if (!found) {
      throw new ResourceNotFoundError(`topic "${nameOrArn}" does not exist`, {
        hint: 'create it with `sqsops setup --config FILE` (a "topics" entry) or `sqsops setup --topic NAME`',
      });
    }
    return found;
  }

  /** Creates the topic (idempotent in SNS for the same attributes). */
  async create(name: string): Promise<TopicRef> {
    validateTopicName(name);
    const fifo = name.endsWith('.fifo');
    const out = await this.call(() =>
      this.sns.send(new CreateTopicCommand({ Name: name, ...(fifo ? { Attributes: { FifoTopic: 'true' } } : {}) }), {
        abortSignal: this.signal,
      }),
    );
    return { name, arn: out.TopicArn ?? '', fifo };
  }

  /** The topic's SQS subscriptions: queue ARN → subscription ARN. */
  async sqsSubscriptions(topicArn: string): Promise<Map<string, string>> {
    const subs = new Map<string, string>();
    let NextToken: string | undefined;
    do {
      const out = await this.call(() =>
        this.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }), { abortSignal: this.signal }),
      );
      for (const s of out.Subscriptions ?? [])
        if (s.Protocol === 'sqs' && s.Endpoint && s.SubscriptionArn) subs.set(s.Endpoint, s.SubscriptionArn);
      NextToken = out.NextToken;
    } while (NextToken);
    return subs;
  }

  async subscriptionAttributes(subscriptionArn: string): Promise<Record<string, string>> {
    const out = await this.call(() =>
      this.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }), { abortSignal: this.signal }),
    );
    return out.Attributes ?? {};
  }

  async subscribe(topicArn: string, spec: SubscriptionSpec): Promise<string> {
    const out = await this.call(() =>
      this.sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: spec.queueArn,
          Attributes: subscriptionAttributes(spec),
          ReturnSubscriptionArn: true,
        }),
        {
          abortSignal: this.signal,
        },
      ),
    );
    return out.SubscriptionArn ?? '';
  }

  async setSubscriptionAttribute(subscriptionArn: string, name: string, value: string): Promise<void> {
    await this.call(() =>
      this.sns.send(
        new SetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn, AttributeName: name, AttributeValue: value }),
        { abortSignal: this.signal },
      ),
    );
  }

  async publishBatch(topicArn: string, entries: PublishEntry[]): Promise<BatchOutcome<{ id: string; messageId: string }>> {
    const out = await this.call(() =>
      this.sns.send(
        new PublishBatchCommand({
          TopicArn: topicArn,
          PublishBatchRequestEntries: entries.map((e) => ({
            Id: e.id,
            Message: e.body,
            MessageGroupId: e.groupId,
            MessageDeduplicationId: e.deduplicationId,
            MessageAttributes: e.attributes,
          })),
        }),
        { abortSignal: this.signal },
      ),
    );
    return batchOutcome(out, (s) => ({ id: s.Id ?? '', messageId: s.MessageId ?? '' }));
  }
}

/** The attributes a subscription is created with (SNS wants strings). */
export function subscriptionAttributes(spec: SubscriptionSpec): Record<string, string> {
  return {
    RawMessageDelivery: String(spec.rawDelivery),
    ...(spec.filterPolicy !== undefined
      ? { FilterPolicy: JSON.stringify(spec.filterPolicy), FilterPolicyScope: spec.filterPolicyScope ?? 'MessageAttributes' }
      : {}),
  };
}

/** The queue policy statement that lets one topic send to one queue. */
export function topicSendStatement(topicArn: string, queueArn: string): Record<string, unknown> {
  return {
    Sid: `sqsops-${topicArn.split(':').pop()}`,
    Effect: 'Allow',
    Principal: { Service: 'sns.amazonaws.com' },
    Action: 'sqs:SendMessage',
    Resource: queueArn,
    Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
  };
}

/** Adds the statement to a queue policy unless an equal one is there; undefined when nothing changes. */
export function mergeQueuePolicy(current: string | undefined, statement: Record<string, unknown>): string | undefined {
  let policy: { Version?: string; Statement?: Record<string, unknown>[] } = { Version: '2012-10-17', Statement: [] };
  if (current) {
    try {
      policy = JSON.parse(current) as typeof policy;
    } catch {
      /* unparsable: replaced below */
    }
  }
  const statements = Array.isArray(policy.Statement) ? policy.Statement : policy.Statement ? [policy.Statement] : [];
  if (statements.some((s) => JSON.stringify(s) === JSON.stringify(statement))) return undefined;
  const others = statements.filter((s) => s.Sid !== statement.Sid);
  return JSON.stringify({ Version: policy.Version ?? '2012-10-17', Statement: [...others, statement] });
}
