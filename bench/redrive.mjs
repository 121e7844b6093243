#!/usr/bin/env node
/**
 * redrive-dlq's manual move beside the raw move ceiling, in one run, on the same emulator:
 *  - ceiling: a plain loop of ReceiveMessage 10 -> SendMessageBatch 10 -> DeleteMessageBatch
 *    (no journal, no checks) at the best of several concurrencies;
 *  - sqsops: the library's redriveDlq() by hand (journal on, as the CLI runs it), at its
 *    default concurrency, and without the journal.
 * Every configuration runs REPEATS times, interleaved; the best run counts.
 * Usage: npm run bench:redrive [-- --messages 5000 --repeats 2]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  SQSClient,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  DeleteMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { redriveDlq } from '../dist/index.js';
import { ensureLocalAws, localCredentials, stopLocalAws, createClients } from '../dist/testing.js';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '5000' }, repeats: { type: 'string', default: '2' } } });
const N = Number(values.messages);
const REPEATS = Number(values.repeats);
const CONCURRENCIES = [1, 4, 8, 16];
const home = mkdtempSync(join(tmpdir(), 'sqsops-bench-'));
const { server } = await ensureLocalAws({ home, port: 0, idleMinutes: 10 });
const config = {
  endpoint: server.endpoint,
  region: 'us-east-1',
  credentials: localCredentials(home),
  requestHandler: { httpAgent: { keepAlive: true, maxSockets: 256 } },
};
const sqs = new SQSClient(config);
const body = JSON.stringify({
  eventType: 'OrderCreated',
  orderId: 'o'.repeat(36),
  customerId: 'c'.repeat(36),
  total: 211.25,
  items: [{ sku: 'ABCDEFGH', quantity: 2, unitPrice: 99.5 }],
  version: 1,
});
let seq = 0;

/** A source queue, and its DLQ holding N messages. */
async function filledPair() {
  const n = seq++;
  const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: `bench-r-${n}-dlq` }))).QueueUrl;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes.QueueArn;
  const src = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: `bench-r-${n}`,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 3 }) },
      }),
    )
  ).QueueUrl;
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < N) {
        const base = next;
        next += 10;
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: dlq,
            Entries: Array.from({ length: 10 }, (_, i) => ({
              Id: String(i),
              MessageBody: body.replace('o'.repeat(36), `order-${base + i}`.padEnd(36, 'x')),
              MessageAttributes: { eventType: { DataType: 'String', StringValue: 'OrderCreated' } },
            })),
          }),
        );
      }
    }),
  );
  return { src, dlq, dlqName: `bench-r-${n}-dlq` };
}

async function moved(url) {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes;
  return Number(a.ApproximateNumberOfMessages);
}

async function rawMove(concurrency) {
  const { src, dlq } = await filledPair();
  let done = 0;
  let empty = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (done < N && empty < 3) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
        );
        if (!Messages.length) {
          empty++;
          continue;
        }
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: src,
            Entries: Messages.map((m, i) => ({ Id: String(i), MessageBody: m.Body, MessageAttributes: m.MessageAttributes })),
          }),
        );
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: dlq,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        done += Messages.length;
      }
    }),
  );
  const rate = done / ((performance.now() - t0) / 1000);
  if ((await moved(src)) !== N) throw new Error(`raw move lost messages: ${await moved(src)} of ${N}`);
  return rate;
}

const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: server.endpoint, credentials: localCredentials(home) });
async function sqsopsMove(journal) {
  const { src, dlqName } = await filledPair();
  const t0 = performance.now();
  const r = await redriveDlq(clients, {
    from: dlqName,
    manual: true,
    waitSeconds: 0,
    ...(journal ? { journalDir: join(home, 'journal') } : {}),
  });
  const rate = r.moved / ((performance.now() - t0) / 1000);
  if (r.moved !== N || (await moved(src)) !== N) throw new Error(`sqsops moved ${r.moved}, destination has ${await moved(src)} of ${N}`);
  return rate;
}

const runs = [
  ...CONCURRENCIES.map((c) => ({ name: `raw move, concurrency ${c}`, kind: 'raw', fn: () => rawMove(c) })),
  { name: 'sqsops redrive-dlq --manual (journal)', kind: 'sqsops', fn: () => sqsopsMove(true) },
  { name: 'sqsops redrive-dlq --manual (no journal)', kind: 'nojournal', fn: () => sqsopsMove(false) },
];
const best = new Map();
try {
  for (let r = 0; r < REPEATS; r++) {
    for (const run of runs) {
      const rate = await run.fn();
      best.set(run.name, Math.max(best.get(run.name) ?? 0, rate));
      console.log(`  run ${r + 1}: ${run.name}: ${rate.toFixed(0)} msg/s`);
    }
  }
  const ceiling = Math.max(...runs.filter((r) => r.kind === 'raw').map((r) => best.get(r.name)));
  console.log(`\n${N} messages per run, best of ${REPEATS}`);
  for (const run of runs)
    console.log(
      `${run.name.padEnd(44)} ${best.get(run.name).toFixed(0).padStart(6)} msg/s  ${(best.get(run.name) / ceiling).toFixed(2)}x the raw ceiling`,
    );
} finally {
  clients.destroy();
  sqs.destroy();
  await stopLocalAws(home);
  rmSync(home, { recursive: true, force: true });
}
