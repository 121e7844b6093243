#!/usr/bin/env node
/**
 * produce throughput beside the raw SDK ceiling, in one run, on the same emulator:
 *  - ceiling: a plain SendMessageBatch loop (10 pre-built bodies per call) at the best
 *    of several concurrencies;
 *  - sqsops: the library's produce() (event generation included) at its default and
 *    at its best concurrency, in this warm process;
 *  - like with like: the CLI and the library each in a fresh process (cold JIT, process
 *    start, daemon lookup and exit included), interleaved, medians and spread.
 * Every run talks to one server: the embedded local AWS daemon (a separate process, state on
 * disk, SigV4 checked), as the CLI uses it. Nothing is in-process on the server side.
 * Usage: npm run bench:produce [-- --messages 20000 --repeats 3 --concurrencies 1,4,8,16,32]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { SQSClient, CreateQueueCommand, DeleteQueueCommand, GetQueueUrlCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { produce } from '../dist/index.js';
import { ensureLocalAws, localCredentials, stopLocalAws, createClients } from '../dist/testing.js';
import { DEFAULTS } from '../dist/core.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    repeats: { type: 'string', default: '3' },
    concurrencies: { type: 'string', default: '1,4,8,16,32' },
  },
});
const N = Number(values.messages);
const REPEATS = Number(values.repeats);
const CONCURRENCIES = values.concurrencies.split(',').map(Number);
/** produce()'s and the CLI's default --concurrency (one constant, src/config.ts). */
const DEFAULT_CONCURRENCY = DEFAULTS.produceConcurrency;
if (!CONCURRENCIES.includes(DEFAULT_CONCURRENCY)) CONCURRENCIES.push(DEFAULT_CONCURRENCY);
const home = mkdtempSync(join(tmpdir(), 'sqsops-bench-'));
const { server } = await ensureLocalAws({ home, port: 0, idleMinutes: 10 });
const config = { endpoint: server.endpoint, region: 'us-east-1', credentials: localCredentials(home) };
let queueSeq = 0;
const admin = new SQSClient(config);

/**
 * Each run's queue (and the DLQ produce makes for it locally) is deleted after the run: the
 * daemon keeps every message in memory and in SQLite, and 20,000 more per run made each later
 * run slower (a bigger heap to collect), which would bias whatever runs last.
 */
async function dropQueue(name) {
  for (const n of [name, `${name}-dlq`]) {
    try {
      const { QueueUrl } = await admin.send(new GetQueueUrlCommand({ QueueName: n }));
      await admin.send(new DeleteQueueCommand({ QueueUrl }));
    } catch {
      // no DLQ for a raw queue
    }
  }
}

// Bodies like the order template's (about 600 bytes), built before the clock starts.
const body = JSON.stringify({
  eventType: 'OrderCreated',
  eventId: 'x'.repeat(36),
  orderId: 'o'.repeat(36),
  customerId: 'c'.repeat(36),
  createdAt: new Date().toISOString(),
  currency: 'EUR',
  items: [
    { sku: 'ABCDEFGH', name: 'Handcrafted Granite Chair', quantity: 2, unitPrice: 99.5 },
    { sku: 'ZYXWVUTS', name: 'Small Bronze Gloves', quantity: 1, unitPrice: 12.25 },
  ],
  total: 211.25,
  version: 1,
});

// produce() tags generated events with this attribute; the raw loop sends it too, for equal work.
const attributes = { eventType: { DataType: 'String', StringValue: 'OrderCreated' } };

async function rawCeiling(concurrency) {
  const sqs = new SQSClient({ ...config, requestHandler: { httpAgent: { keepAlive: true, maxSockets: 256 } } });
  const name = `bench-raw-${queueSeq++}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const batches = N / 10;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches) {
        next++;
        const out = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl,
            Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: body, MessageAttributes: attributes })),
          }),
        );
        if (out.Failed?.length) throw new Error(`raw loop: ${out.Failed.length} failed`);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  sqs.destroy();
  await dropQueue(name);
  return N / secs;
}

async function sqsopsProduce(concurrency, prebuilt = false) {
  const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: server.endpoint, credentials: localCredentials(home) });
  const inputs = prebuilt ? Array.from({ length: N }, (_, i) => ({ body, source: `#${i}` })) : undefined;
  const queue = `bench-sqsops-${queueSeq++}`;
  const r = await produce(clients, { queue, count: N, concurrency, seed: 1, ...(inputs ? { inputs } : {}) });
  clients.destroy();
  await dropQueue(queue);
  if (r.sent !== N) throw new Error(`produce sent ${r.sent}/${N}`);
  return r.messagesPerSecond;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
const childEnv = { ...process.env, SQSOPS_HOME: home, SQSOPS_LOCAL_PORT: '0', SQSOPS_TARGET: 'local' };

/** One fresh process, timed from spawn to exit; `durationMs` is produce()'s own clock, from its JSON. */
async function timedProcess(args, what, queue) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env: childEnv, encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${what}: ${r.stderr}`);
  const { durationMs, sent } = JSON.parse(r.stdout);
  if (sent !== N) throw new Error(`${what} sent ${sent}/${N}`);
  await dropQueue(queue);
  return { endToEnd: N / (wallMs / 1000), sending: N / (durationMs / 1000), startMs: wallMs - durationMs };
}

/** The CLI end to end, process start included; concurrency undefined: its default. */
function cliProduce(concurrency) {
  const flags = concurrency === undefined ? [] : ['--concurrency', String(concurrency)];
  const queue = `bench-cli-${queueSeq++}`;
  const args = ['bin/sqsops.js', '--json', 'produce', '--queue', queue, '--count', String(N), ...flags, '--seed', '1'];
  return timedProcess(args, 'cli', queue);
}

/**
 * The library the same way: a fresh Node process that imports sqsops, finds the same daemon
 * and calls produce(). Like with like for the CLI (same server, same process model, a cold JIT).
 */
function libraryProcess(concurrency) {
  const queue = `bench-libp-${queueSeq++}`;
  const code = `
    const { ensureLocalAws, localCredentials, createClients, produce } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
    const home = process.env.SQSOPS_HOME;
    const { server } = await ensureLocalAws({ home, port: 0 });
    const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: server.endpoint, credentials: localCredentials(home) });
    const r = await produce(clients, { queue: ${JSON.stringify(queue)}, count: ${N}, concurrency: ${concurrency}, seed: 1 });
    clients.destroy();
    process.stdout.write(JSON.stringify({ durationMs: r.durationMs, sent: r.sent }));`;
  return timedProcess(['--input-type=module', '-e', code], 'library process', queue);
}

const rows = [];
const raw = {};
const lib = {};
try {
  // Warm the emulator and the SDK once, untimed.
  await rawCeiling(4);
  // Interleaved and repeated: the best of REPEATS runs, so noise on a shared machine hits both alike.
  for (let r = 0; r < REPEATS; r++) {
    for (const c of CONCURRENCIES) {
      raw[c] = Math.max(raw[c] ?? 0, await rawCeiling(c));
      lib[c] = Math.max(lib[c] ?? 0, await sqsopsProduce(c));
    }
  }
  const bestRawC = Number(Object.entries(raw).sort((a, b) => b[1] - a[1])[0][0]);
  const bestLibC = Number(Object.entries(lib).sort((a, b) => b[1] - a[1])[0][0]);
  // Like with like: the CLI and the library each in a fresh process against the same daemon,
  // interleaved, REPEATS each; medians with their spread (best-of would reward the noise).
  const cli = [];
  const cliDefault = [];
  const libProc = [];
  for (let r = 0; r < REPEATS; r++) {
    // The order turns each round, so no kind always runs first (or last) on a machine whose load drifts.
    const kinds = [() => libraryProcess(bestLibC), () => cliProduce(bestLibC), () => cliProduce(undefined)];
    const into = [libProc, cli, cliDefault];
    for (let k = 0; k < kinds.length; k++) {
      const j = (k + r) % kinds.length;
      into[j].push(await kinds[j]());
    }
  }
  const prebuilt = await sqsopsProduce(bestLibC, true);
  const ceiling = raw[bestRawC];
  for (const c of CONCURRENCIES) rows.push([`concurrency ${c}`, raw[c].toFixed(0), lib[c].toFixed(0), (lib[c] / raw[c]).toFixed(2)]);
  console.log(
    `produce: ${N} messages per run, best of ${REPEATS}, Node ${process.version}, emulator at ${server.endpoint} (state on disk)\n`,
  );
  console.log(['', 'raw SendMessageBatch msg/s', 'sqsops produce() msg/s', 'ratio'].join(' | '));
  for (const r of rows) console.log(r.join(' | '));
  console.log(`\nceiling (raw, best: concurrency ${bestRawC}): ${ceiling.toFixed(0)} msg/s`);
  const libDefault = lib[DEFAULT_CONCURRENCY];
  const defaultRatio = (libDefault / ceiling).toFixed(2);
  console.log(
    `sqsops produce() at default concurrency ${DEFAULT_CONCURRENCY}: ${libDefault.toFixed(0)} msg/s = ${defaultRatio}x the ceiling`,
  );
  console.log(
    `sqsops produce() at its best (concurrency ${bestLibC}): ${lib[bestLibC].toFixed(0)} msg/s = ${(lib[bestLibC] / ceiling).toFixed(2)}x the ceiling (target >= 0.9x)`,
  );
  console.log(
    `sqsops produce() of pre-built bodies (pipeline alone, concurrency ${bestLibC}): ${prebuilt.toFixed(0)} msg/s = ${(prebuilt / ceiling).toFixed(2)}x`,
  );
  const pick = (runs, k) => runs.map((x) => x[k]);
  console.log(`\nfresh processes against the same daemon, concurrency ${bestLibC}, median (min-max) of ${REPEATS}, msg/s:`);
  console.log(['', 'end to end (process start included)', 'sending (produce() clock)', 'start + connect + exit ms'].join(' | '));
  for (const [name, runs] of [
    ['library process', libProc],
    ['CLI', cli],
    ['CLI, default concurrency', cliDefault],
  ]) {
    console.log([name, spread(pick(runs, 'endToEnd')), spread(pick(runs, 'sending')), spread(pick(runs, 'startMs'))].join(' | '));
  }
  const cliE2e = median(pick(cli, 'endToEnd'));
  console.log(
    `\nCLI end to end versus the library in a fresh process: ${(cliE2e / median(pick(libProc, 'endToEnd'))).toFixed(2)}x (target >= 0.8x)`,
  );
  console.log(
    `CLI end to end versus the library's best in this warm process: ${(cliE2e / lib[bestLibC]).toFixed(2)}x (a warm JIT and no start-up)`,
  );
  const best = lib[bestLibC];
  console.log(
    `CLI at its default concurrency versus at ${bestLibC}: ${(median(pick(cliDefault, 'endToEnd')) / cliE2e).toFixed(2)}x end to end`,
  );
  console.log(`library default concurrency ${DEFAULT_CONCURRENCY} versus its best: ${(libDefault / best).toFixed(2)}x (target >= 0.9x)`);
} finally {
  admin.destroy();
  await stopLocalAws(home);
  rmSync(home, { recursive: true, force: true });
}
