/**
 * The local AWS accepts the characters SQS accepts (#x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD
 * #x10000-#x10FFFF) in bodies and attribute values, through SQS and through SNS, and still
 * refuses the rest, as SQS does.
 */
import { CreateTopicCommand, PublishCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFauxqsUnicodeFix, SQS_INVALID_BODY_CHAR } from '../../src/local/fauxqsPatches.js';
import { startTestAws, type TestAws } from '../helpers/aws.js';

const EMOJI = 'hello \u{1F600} \u{10FFFF} \uE000 \uFFFD';

let aws: TestAws;
let sqs: SQSClient;
beforeAll(async () => {
  aws = await startTestAws();
  sqs = await aws.clients.sqs();
});
afterAll(() => aws.stop());

async function queue(name: string): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
}

async function receiveOne(url: string) {
  const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
  return r.Messages?.[0];
}

describe('characters above U+FFFF on the local AWS', () => {
  it('SendMessage takes them in the body and in attribute values, and gives them back unchanged', async () => {
    const url = await queue('uni-send');
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: EMOJI,
        MessageAttributes: { mood: { DataType: 'String', StringValue: '\u{1F600}' } },
      }),
    );
    const m = await receiveOne(url);
    expect(m?.Body).toBe(EMOJI);
    expect(m?.MessageAttributes?.mood?.StringValue).toBe('\u{1F600}');
  });

  it('SendMessageBatch takes them and refuses, per entry, what SQS refuses', async () => {
    const url = await queue('uni-batch');
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'ok', MessageBody: EMOJI },
          { Id: 'ffff', MessageBody: 'no \uFFFF' },
          { Id: 'lone', MessageBody: 'half \uD83D pair' },
          { Id: 'ctrl', MessageBody: 'bell \u0007' },
        ],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(['ok']);
    expect(out.Failed?.map((f) => [f.Id, f.Code]).sort()).toEqual([
      ['ctrl', 'InvalidMessageContents'],
      ['ffff', 'InvalidMessageContents'],
      ['lone', 'InvalidMessageContents'],
    ]);
    expect((await receiveOne(url))?.Body).toBe(EMOJI);
  });

  it('SNS Publish delivers them to a subscribed queue, body and attribute values', async () => {
    const sns = await aws.clients.sns();
    const url = await queue('uni-sns');
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'uni-topic' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: arn, Attributes: { RawMessageDelivery: 'true' } }));
    await sns.send(
      new PublishCommand({
        TopicArn: topic,
        Message: EMOJI,
        MessageAttributes: { mood: { DataType: 'String', StringValue: '\u{1F600}' } },
      }),
    );
    const m = await receiveOne(url);
    expect(m?.Body).toBe(EMOJI);
    expect(m?.MessageAttributes?.mood?.StringValue).toBe('\u{1F600}');
  });

  it('the fix switches itself off once fauxqs accepts them (here: once it is applied)', async () => {
    expect(await applyFauxqsUnicodeFix()).toBe(false);
    expect(SQS_INVALID_BODY_CHAR.test('\u{1F600}')).toBe(false);
    expect(SQS_INVALID_BODY_CHAR.test('\uFFFE')).toBe(true);
  });
});
