/**
 * The one shared helper for integration tests: the real emulators, in-process, on
 * port 0, in memory. Tests assert on state (depths, rows), never on SDK calls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startLocalAws, type LocalAws } from '../../src/local/server.js';
import { createClients, type AwsClients } from '../../src/aws/clients.js';
import { SqsQueues } from '../../src/aws/queue.js';
import { stopLocalAws } from '../../src/local/manager.js';
import { parseTopology, type TopologyConfig } from '../../src/core/topology.js';
import { madeBeforeAll, ROOT } from './cli.js';

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

/** The emulators for the file's tests: started before them, stopped after. */
export function testAwsForFile(): TestAws {
  let aws: TestAws | undefined;
  beforeAll(async () => {
    aws = await startTestAws();
  });
  afterAll(async () => aws?.stop());
  return madeBeforeAll('the test AWS', () => aws);
}

/** A topology the test writes by hand: it must parse without a problem. */
export function checkedTopology(raw: unknown): TopologyConfig {
  const { config, problems } = parseTopology(raw);
  expect(problems).toEqual([]);
  return config!;
}

/** The environment of a Lambda on these emulators (their endpoint and credentials), with no ledger, keyed by orderId. */
export function lambdaEnv(aws: TestAws) {
  return {
    AWS_ENDPOINT_URL: aws.local.endpoint,
    AWS_ACCESS_KEY_ID: aws.local.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.local.credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    SQSOPS_LEDGER_TABLE: 'none',
    SQSOPS_KEY: 'orderId',
  };
}

/** The built local AWS daemon, as `ensureLocalAws` runs it. */
export const daemonPath = join(ROOT, 'dist/localDaemon.js');

/** Makes state dirs (`prefix` and a random tail) for a local AWS daemon; after each test, each one's daemon is stopped and the dir removed. */
export function daemonHomes(prefix: string): () => string {
  const homes: string[] = [];
  afterEach(async () => {
    for (const h of homes.splice(0)) {
      await stopLocalAws(h);
      rmSync(h, { recursive: true, force: true });
    }
  });
  return () => {
    const h = mkdtempSync(join(tmpdir(), prefix));
    homes.push(h);
    return h;
  };
}
