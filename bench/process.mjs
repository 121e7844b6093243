#!/usr/bin/env node
/**
 * process-sqs beside its peers, in one run, on the same emulator and the same queue size:
 *  1. drain without sinks or ledger: sqsops processSqs() vs the raw SDK drain ceiling
 *     (ReceiveMessage 10 + DeleteMessageBatch at its best concurrency) vs bbc
 *     sqs-consumer (batchSize 10) at its best instance count;
 *  2. with the DynamoDB ledger: writes per message, and throughput vs the conditional-put
 *     ceiling (a raw PutItem loop with a condition, at its best concurrency) divided by
 *     the writes per message;
 *  3. 5 messages drained end to end: the built CLI's `process-sqs --drain` (default 20 s wait)
 *     as a process, from start to exit, with the load average beside it (target < 3 s);
 *  4. tracing on (OpenTelemetry, exported over OTLP/HTTP to a local sink that answers 200):
 *     the no-ledger drain with a span per message and per stage, beside the same drain untraced;
 *  5. with --rtt MS (default 20) added to every round trip: --concurrency auto, the default
 *     concurrency and sqs-consumer (its defaults, and hand-tuned) side by side (bench/processRtt.mjs).
 * Every configuration runs REPEATS times, interleaved; the best run counts.
 * Usage: npm run bench:process [-- --messages 10000 --repeats 2 --rtt 20 --rtt-messages 3000] [-- --drain-only | --rtt-only]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  SQSClient,
  CreateQueueCommand,
  ReceiveMessageCommand,
  DeleteMessageBatchCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { DynamoDBClient, CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Consumer } from 'sqs-consumer';
import { createServer } from 'node:http';
import { processSqs, startOtelTracing } from '../dist/index.js';
import { ensureLocalAws, localCredentials, stopLocalAws, createClients } from '../dist/testing.js';
import { rttRows } from './processRtt.mjs';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    repeats: { type: 'string', default: '2' },
    'drain-only': { type: 'boolean' },
    rtt: { type: 'string', default: '20' },
    'rtt-messages': { type: 'string', default: '3000' },
    'rtt-only': { type: 'boolean', default: false },
  },
});
const N = Number(values.messages);
const REPEATS = Number(values.repeats);
const CONCURRENCIES = [4, 8, 16, 32];
const home = mkdtempSync(join(tmpdir(), 'sqsops-bench-'));
const { server } = await ensureLocalAws({ home, port: 0, idleMinutes: 10 });
const config = {
  endpoint: server.endpoint,
  region: 'us-east-1',
  credentials: localCredentials(home),
  requestHandler: { httpAgent: { keepAlive: true, maxSockets: 256 } },
};
const sqs = new SQSClient(config);
const ddb = new DynamoDBClient(config);
const body = JSON.stringify({
  eventType: 'OrderCreated',
  orderId: 'o'.repeat(36),
  customerId: 'c'.repeat(36),
  total: 211.25,
  items: [{ sku: 'ABCDEFGH', quantity: 2, unitPrice: 99.5 }],
  version: 1,
});
let seq = 0;

// A collector that takes every export and answers 200: the spans are built, encoded and sent for real.
let exported = 0;
const collector = createServer((req, res) => {
  req.on('data', (d) => (exported += d.length));
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise((resolve) => collector.listen(0, '127.0.0.1', resolve));
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${collector.address().port}`;
process.env.OTEL_SERVICE_NAME ??= 'sqsops-bench';
const tracing = await startOtelTracing();

async function filledQueue() {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-p-${seq++}`, Attributes: { VisibilityTimeout: '60' } }));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < N) {
        const base = next;
        next += 10;
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl,
            Entries: Array.from({ length: 10 }, (_, i) => ({
              Id: String(i),
              MessageBody: body.replace('o'.repeat(36), `order-${base + i}`.padEnd(36, 'x')),
            })),
          }),
        );
      }
    }),
  );
  return QueueUrl;
}

const rate = (t0) => N / ((performance.now() - t0) / 1000);

/**
 * CPU the emulator daemon spent (user + system, ms), from /proc: fauxqs and dynalite share
 * its one JavaScript thread, so CPU per message bounds what any client can get out of it.
 */
const TICK_MS = 10; // USER_HZ is 100 on Linux
function emulatorCpuMs() {
  try {
    const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return NaN; // not Linux: the bound is not printed
  }
}
/** sqsops's own CPU per message (µs) without the ledger, smallest seen, untraced and traced. */
const ownCpuUs = {};
/** Emulator CPU per message (or per put), smallest seen, by run kind. */
const cpuPer = {};
const keepCpu = (kind, cpu0) => {
  const per = (emulatorCpuMs() - cpu0) / N;
  cpuPer[kind] = Math.min(cpuPer[kind] ?? Infinity, per);
};

async function rawDrain(concurrency) {
  const url = await filledQueue();
  let done = 0;
  let perSecond = 0;
  const t0 = performance.now();
  // The clock stops when the last message is deleted (as for sqs-consumer), not when the
  // pollers still long-polling the empty queue come back.
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (done < N) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        if (!Messages.length) continue;
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        done += Messages.length;
        if (done >= N && !perSecond) perSecond = rate(t0);
      }
    }),
  );
  return perSecond;
}

async function sqsConsumer(instances) {
  const url = await filledQueue();
  let done = 0;
  const t0 = performance.now();
  await new Promise((resolve) => {
    const consumers = Array.from({ length: instances }, () =>
      Consumer.create({ queueUrl: url, sqs, batchSize: 10, waitTimeSeconds: 1, handleMessageBatch: async (messages) => messages }),
    );
    for (const c of consumers) {
      c.on('message_processed', () => {
        if (++done === N) {
          for (const x of consumers) x.stop();
          resolve();
        }
      });
      c.on('error', (e) => console.error('sqs-consumer:', e.message));
      c.start();
    }
  });
  return rate(t0);
}

async function sqsops(concurrency, ledgerTable, traced = false) {
  const url = await filledQueue();
  const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: server.endpoint, credentials: localCredentials(home) });
  let writes = 0;
  if (ledgerTable) {
    (await clients.dynamodb()).middlewareStack.add(
      (next, context) => async (args) => {
        if (/^(Put|Update|Delete)Item|^(Put|Update|Delete)Command$/.test(context.commandName)) writes++;
        return next(args);
      },
      { step: 'initialize', name: 'benchWriteCounter' },
    );
  }
  const t0 = performance.now();
  const cpu0 = emulatorCpuMs();
  const own0 = process.cpuUsage();
  const r = await processSqs(clients, {
    queue: url,
    concurrency,
    count: N,
    waitSeconds: 1,
    ledgerTable: ledgerTable ?? false,
    key: 'orderId',
    ...(traced ? { observer: tracing.observer } : {}),
  });
  const perSecond = rate(t0);
  keepCpu(ledgerTable ? 'ledger' : 'noLedger', cpu0);
  if (!ledgerTable) {
    // This process's CPU per message, the spans' export included: steadier than a rate on a busy machine.
    if (traced) await tracing.flush();
    const own = process.cpuUsage(own0);
    const kind = traced ? 'traced' : 'untraced';
    ownCpuUs[kind] = Math.min(ownCpuUs[kind] ?? Infinity, (own.user + own.system) / N);
  }
  clients.destroy();
  if (r.metrics.MessagesDeleted !== N) throw new Error(`sqsops deleted ${r.metrics.MessagesDeleted}/${N}`);
  return { perSecond, writesPerMessage: writes / N };
}

async function conditionalPutCeiling(concurrency) {
  const table = `bench-cond-${seq++}`;
  await ddb.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  let next = 0;
  const t0 = performance.now();
  const cpu0 = emulatorCpuMs();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < N) {
        const id = `k${next++}`;
        await ddb.send(
          new PutItemCommand({
            TableName: table,
            Item: { id: { S: id }, status: { S: 'INPROGRESS' }, owner: { S: 'bench' } },
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        );
      }
    }),
  );
  const perSecond = rate(t0);
  keepCpu('put', cpu0);
  return perSecond;
}

const best = {};
const keep = (name, c, v) => {
  best[name] ??= {};
  best[name][c] = Math.max(best[name][c] ?? 0, v);
};
/** The built CLI's process-sqs --drain on a queue of 5, as a process: seconds from spawn to exit, and what it reported. */
function drainEndToEnd() {
  const queue = `bench-drain-${seq++}`;
  const env = { ...process.env, SQSOPS_HOME: home, NO_COLOR: '1' };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  const cli = (args) =>
    execFileSync(process.execPath, [join(import.meta.dirname, '../bin/sqsops.js'), ...args], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  cli(['produce', '--queue', queue, '--count', '5']);
  const t0 = performance.now();
  const out = JSON.parse(cli(['process-sqs', '--queue', queue, '--drain', '--json']));
  const seconds = (performance.now() - t0) / 1000;
  if (out.metrics.MessagesDeleted !== 5) throw new Error(`drain deleted ${out.metrics.MessagesDeleted}/5`);
  return {
    seconds,
    receives: out.receives,
    load: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

function printDrains() {
  const runs = Array.from({ length: Math.max(3, REPEATS) }, drainEndToEnd);
  const best = Math.min(...runs.map((r) => r.seconds));
  console.log(
    `
5 messages drained end to end (built CLI: process-sqs --drain, default --wait 20, spawn to exit): best ${best.toFixed(2)} s (target < 3 s)`,
  );
  for (const r of runs) console.log(`  ${r.seconds.toFixed(2)} s, ${r.receives} receives, load average ${r.load}`);
}

let writesPerMessage = 0;
try {
  if (values['drain-only']) {
    printDrains();
  } else if (!values['rtt-only']) {
    for (let r = 0; r < REPEATS; r++) {
      for (const c of CONCURRENCIES) {
        keep('raw drain', c, await rawDrain(c));
        keep('sqs-consumer', c, await sqsConsumer(c));
        keep('sqsops (no ledger)', c, (await sqsops(c)).perSecond);
        keep('sqsops (no ledger, traced)', c, (await sqsops(c, undefined, true)).perSecond);
        const withLedger = await sqsops(c, `bench-ledger-${seq++}`);
        writesPerMessage = withLedger.writesPerMessage;
        keep('sqsops (ledger)', c, withLedger.perSecond);
        keep('conditional PutItem', c, await conditionalPutCeiling(c * 8));
      }
    }
    const top = (name) => Math.max(...Object.values(best[name]));
    console.log(`process-sqs: ${N} messages per run, best of ${REPEATS}, Node ${process.version}, emulator with state on disk\n`);
    console.log(['msg/s by concurrency (instances for sqs-consumer; x8 for PutItem)', ...CONCURRENCIES].join(' | '));
    for (const name of Object.keys(best)) console.log([name, ...CONCURRENCIES.map((c) => best[name][c].toFixed(0))].join(' | '));
    const raw = top('raw drain');
    const peer = top('sqs-consumer');
    const mine = top('sqsops (no ledger)');
    const ceiling = top('conditional PutItem') / writesPerMessage;
    console.log(
      `\nno ledger: sqsops ${mine.toFixed(0)} msg/s = ${(mine / raw).toFixed(2)}x the raw drain ceiling (target >= 0.9x), ${(mine / peer).toFixed(2)}x sqs-consumer at its best (target >= 1.0x)`,
    );
    await tracing.flush();
    const traced = top('sqsops (no ledger, traced)');
    console.log(
      `tracing on: sqsops ${traced.toFixed(0)} msg/s = ${(traced / mine).toFixed(2)}x the same drain untraced (target >= 0.9x); ${(exported / 1e6).toFixed(1)} MB of spans exported`,
    );
    console.log(
      `tracing on: sqsops's own CPU ${ownCpuUs.traced.toFixed(0)} µs per message vs ${ownCpuUs.untraced.toFixed(0)} µs untraced (${((ownCpuUs.traced / ownCpuUs.untraced - 1) * 100).toFixed(0)}%)`,
    );
    console.log(`ledger: ${writesPerMessage.toFixed(2)} DynamoDB writes per message (target <= 2)`);
    console.log(
      `ledger: sqsops ${top('sqsops (ledger)').toFixed(0)} msg/s = ${(top('sqsops (ledger)') / ceiling).toFixed(2)}x the conditional-put ceiling / writes per message (${ceiling.toFixed(0)} msg/s; target >= 0.8x)`,
    );
    if (Number.isFinite(cpuPer.ledger)) {
      // One emulator thread serves both services: at 100 % of it, a message with the ledger
      // cannot go faster than 1 / (its emulator CPU), whatever the client does.
      const bound = 1000 / cpuPer.ledger;
      console.log(
        `emulator CPU (its one thread): ${cpuPer.put.toFixed(3)} ms per conditional put, ${cpuPer.noLedger.toFixed(3)} ms per message without the ledger, ${cpuPer.ledger.toFixed(3)} ms per message with it`,
      );
      console.log(
        `  -> with the ledger the emulator alone allows at most ${bound.toFixed(0)} msg/s = ${(bound / ceiling).toFixed(2)}x the ceiling / writes per message; sqsops reached ${(top('sqsops (ledger)') / bound).toFixed(2)} of that bound`,
      );
    }
    printDrains();
  }
  const rtt = Number(values.rtt);
  if (!values['drain-only'] && rtt > 0) {
    const credentials = localCredentials(home);
    await rttRows({ endpoint: server.endpoint, credentials, n: Number(values['rtt-messages']), rtt, repeats: REPEATS, body });
  }
} finally {
  await tracing.shutdown();
  collector.close();
  sqs.destroy();
  ddb.destroy();
  await stopLocalAws(home);
  rmSync(home, { recursive: true, force: true });
}
