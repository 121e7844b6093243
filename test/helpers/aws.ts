/**
 * The one shared helper for integration tests: the real emulators, in-process, on
 * port 0, in memory. Tests assert on state (depths, rows), never on SDK calls.
 */
import { startLocalAws, type LocalAws } from '../../src/local/server.js';
import { createClients, type AwsClients } from '../../src/aws/clients.js';
import { SqsQueues } from '../../src/aws/queue.js';

export interface TestAws {
  local: LocalAws;
  clients: AwsClients;
  queues: SqsQueues;
  /** Visible + in flight + delayed. */
  depth(url: string): Promise<{ visible: number; inFlight: number }>;
  /** Receives and deletes everything visible now (FIFO groups unlock only on delete). */
  drain(url: string, visibility?: number): Promise<{ body: string; messageId: string; groupId?: string }[]>;
  stop(): Promise<void>;
}

export async function startTestAws(): Promise<TestAws> {
  const local = await startLocalAws({});
  const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: local.endpoint, credentials: local.credentials });
  const queues = new SqsQueues(await clients.sqs());
  return {
    local,
    clients,
    queues,
    async depth(url) {
      const a = await queues.attributes(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
      return { visible: Number(a.ApproximateNumberOfMessages), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible) };
    },
    async drain(url, visibility = 60) {
      const out: { body: string; messageId: string; groupId?: string }[] = [];
      for (let empty = 0; empty < 2; ) {
        const batch = await queues.receive(url, { max: 10, waitSeconds: 0, visibilityTimeout: visibility });
        if (batch.length === 0) {
          empty++;
          continue;
        }
        await queues.deleteBatch(
          url,
          batch.map((m, i) => ({ id: String(i), receiptHandle: m.ReceiptHandle ?? '' })),
        );
        for (const m of batch) {
          out.push({
            body: m.Body ?? '',
            messageId: m.MessageId ?? '',
            ...(m.Attributes?.MessageGroupId ? { groupId: m.Attributes.MessageGroupId } : {}),
          });
        }
      }
      return out;
    },
    async stop() {
      clients.destroy();
      await local.stop();
    },
  };
}
