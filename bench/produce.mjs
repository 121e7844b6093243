#!/usr/bin/env node
/**
 * produce throughput beside the raw SDK ceiling, in one run, on the same emulator:
 *  - ceiling: a plain SendMessageBatch loop (10 pre-built bodies per call) at the best
 *    of several concurrencies;
 *  - sqsops: the library's produce() (event generation included) at its default and
 *    at its best concurrency, in this warm process (best of --repeats);
 *  - side by side, interleaved rounds at that best concurrency: the CLI end to end, the
 *    library in a fresh process (cold JIT, process start, daemon lookup and exit included,
 *    like the CLI), and the library warm in this process (issue 15's baseline), with the
 *    CLI's ratio to both baselines, and the CLI at its default concurrency;
 *  - then, with --rtt MS (default 20) added to every round trip by a delaying TCP proxy (the
 *    network to real AWS in front of the local emulator): the CLI and the warm library at the
 *    default concurrency, side by side, the way users run them against real queues.
 * Every run talks to one server: the embedded local AWS daemon (a separate process, state on
 * disk, SigV4 checked), as the CLI uses it. Nothing is in-process on the server side.
 * Client CPU per message (user + system, whole process for the fresh ones, from /usr/bin/time
 * where it exists) tells a slower client from a busier machine: the machine may be shared.
 * Usage: npm run bench:produce [-- --messages 20000 --repeats 3 --concurrencies 1,4,8,16,32 --rtt 20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
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
    rtt: { type: 'string', default: '20' },
  },
});
const N = Number(values.messages);
const REPEATS = Number(values.repeats);
const CONCURRENCIES = values.concurrencies.split(',').map(Number);
const RTT = Number(values.rtt);
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

/** The library in this (warm) process: produce()'s own rate, and this process's CPU per message meanwhile. */
async function warmProduce(concurrency, prebuilt = false, via = undefined) {
  const clients = via
    ? createClients({ kind: 'aws', region: 'us-east-1', endpoints: { sqs: via }, reason: 'bench', credentials: localCredentials(home) })
    : createClients({ kind: 'local', region: 'us-east-1', endpoint: server.endpoint, credentials: localCredentials(home) });
  const inputs = prebuilt ? Array.from({ length: N }, (_, i) => ({ body, source: `#${i}` })) : undefined;
  const queue = `bench-sqsops-${queueSeq++}`;
  // Through the proxy the target is "AWS", where sqsops creates nothing: the queue is made first.
  if (via) await admin.send(new CreateQueueCommand({ QueueName: queue }));
  const cpu0 = process.cpuUsage();
  const r = await produce(clients, { queue, count: N, concurrency, seed: 1, inputs });
  const cpu = process.cpuUsage(cpu0);
  clients.destroy();
  await dropQueue(queue);
  if (r.sent !== N) throw new Error(`produce sent ${r.sent}/${N}`);
  return { endToEnd: r.messagesPerSecond, sending: r.messagesPerSecond, startMs: 0, cpuUs: (cpu.user + cpu.system) / N };
}
const sqsopsProduce = async (c, prebuilt) => (await warmProduce(c, prebuilt)).endToEnd;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
const childEnv = { ...process.env, SQSOPS_HOME: home, SQSOPS_LOCAL_PORT: '0', SQSOPS_TARGET: 'local' };
// The child's whole CPU (start-up included), where GNU time is there to tell it.
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** One fresh process, timed from spawn to exit; `durationMs` is produce()'s own clock, from its JSON. */
async function timedProcess(args, what, queue, env = childEnv) {
  const argv = TIME ? [TIME, '-f', 'cpu %U %S', process.execPath, ...args] : [process.execPath, ...args];
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { env, encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${what}: ${r.stderr}`);
  const { durationMs, sent } = JSON.parse(r.stdout);
  if (sent !== N) throw new Error(`${what} sent ${sent}/${N}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  await dropQueue(queue);
  return {
    endToEnd: N / (wallMs / 1000),
    sending: N / (durationMs / 1000),
    startMs: wallMs - durationMs,
    cpuUs: cpu ? ((Number(cpu[1]) + Number(cpu[2])) * 1e6) / N : Number.NaN,
  };
}

/**
 * The CLI end to end, process start included; concurrency undefined: its default. `via`: an
 * endpoint (the delaying proxy) it reaches as AWS, with the local credentials in its environment.
 */
async function cliProduce(concurrency, via = undefined) {
  const flags = concurrency === undefined ? [] : ['--concurrency', String(concurrency)];
  const queue = `bench-cli-${queueSeq++}`;
  const target = via ? ['--endpoint-url', via] : [];
  const args = ['bin/sqsops.js', '--json', ...target, 'produce', '--queue', queue, '--count', String(N), ...flags, '--seed', '1'];
  if (!via) return timedProcess(args, 'cli', queue);
  await admin.send(new CreateQueueCommand({ QueueName: queue }));
  const { SQSOPS_TARGET, ...rest } = childEnv;
  const { accessKeyId, secretAccessKey } = localCredentials(home);
  const env = { ...rest, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: 'us-east-1' };
  return timedProcess(args, 'cli via proxy', queue, env);
}

/** The delaying proxy (bench/delayProxy.mjs) in its own process, in front of the daemon. */
async function startDelayProxy(oneWayMs) {
  const { host } = new URL(server.endpoint);
  const child = spawn(
    process.execPath,
    [new URL('./delayProxy.mjs', import.meta.url).pathname, '--target', host, '--delay', String(oneWayMs)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [line] = await once(child.stdout, 'data');
  return { endpoint: `http://127.0.0.1:${String(line).trim()}`, stop: () => child.kill() };
}

/**
 * The library the same way: a fresh Node process that imports sqsops, finds the same daemon
 * and calls produce(). Like with like for the CLI (same server, same process model, a cold JIT).
 */
function libraryProcess(concurrency) {
  const queue = `bench-libp-${queueSeq++}`;
  const code = `
    const { produce } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
    const { ensureLocalAws, localCredentials, createClients } = await import(${JSON.stringify(new URL('../dist/testing.js', import.meta.url).href)});
    const home = process.env.SQSOPS_HOME;
    const { server } = await ensureLocalAws({ home, port: 0 });
    const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: server.endpoint, credentials: localCredentials(home) });
    const r = await produce(clients, { queue: ${JSON.stringify(queue)}, count: ${N}, concurrency: ${concurrency}, seed: 1 });
    clients.destroy();
    process.stdout.write(JSON.stringify({ durationMs: r.durationMs, sent: r.sent }));`;
  return timedProcess(['--input-type=module', '-e', code], 'library process', queue);
}

const raw = {};
const lib = {};
const load = [loadavg()[0]];
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
  // Side by side at the library's best concurrency, interleaved, REPEATS rounds; medians with
  // their spread (best-of would reward the noise). The order turns each round, so no kind
  // always runs first (or last) on a machine whose load drifts.
  const kinds = [
    ['CLI', () => cliProduce(bestLibC)],
    ['library, fresh process', () => libraryProcess(bestLibC)],
    ['library, warm in this process', () => warmProduce(bestLibC)],
    [`CLI, default concurrency ${DEFAULT_CONCURRENCY}`, () => cliProduce(undefined)],
  ];
  const runs = kinds.map(() => []);
  for (let r = 0; r < REPEATS; r++) {
    for (let k = 0; k < kinds.length; k++) {
      const j = (k + r) % kinds.length;
      runs[j].push(await kinds[j][1]());
    }
    load.push(loadavg()[0]);
  }
  const prebuilt = await sqsopsProduce(bestLibC, true);
  const ceiling = raw[bestRawC];
  console.log(
    `produce: ${N} messages per run, Node ${process.version}, emulator at ${server.endpoint} (state on disk), ` +
      `load average ${load.map((l) => l.toFixed(1)).join(' → ')} on ${availableParallelism()} cores\n`,
  );
  console.log(`best of ${REPEATS}, warm in this process:`);
  console.log(['', 'raw SendMessageBatch msg/s', 'sqsops produce() msg/s', 'ratio'].join(' | '));
  for (const c of CONCURRENCIES)
    console.log([`concurrency ${c}`, raw[c].toFixed(0), lib[c].toFixed(0), (lib[c] / raw[c]).toFixed(2)].join(' | '));
  console.log(`\nceiling (raw, best: concurrency ${bestRawC}): ${ceiling.toFixed(0)} msg/s`);
  const libDefault = lib[DEFAULT_CONCURRENCY];
  const best = lib[bestLibC];
  console.log(
    `sqsops produce() at default concurrency ${DEFAULT_CONCURRENCY}: ${libDefault.toFixed(0)} msg/s = ${(libDefault / ceiling).toFixed(2)}x the ceiling`,
  );
  console.log(
    `sqsops produce() at its best (concurrency ${bestLibC}): ${best.toFixed(0)} msg/s = ${(best / ceiling).toFixed(2)}x the ceiling`,
  );
  console.log(
    `sqsops produce() of pre-built bodies (pipeline alone, concurrency ${bestLibC}): ${prebuilt.toFixed(0)} msg/s = ${(prebuilt / ceiling).toFixed(2)}x`,
  );

  const pick = (xs, k) => xs.map((x) => x[k]);
  console.log(`\nside by side, concurrency ${bestLibC} unless named, interleaved, median (min-max) of ${REPEATS}:`);
  console.log(['', 'end to end msg/s', 'sending msg/s (produce() clock)', 'start + connect + exit ms', 'client CPU us/msg'].join(' | '));
  kinds.forEach(([name], i) => {
    const cpu = pick(runs[i], 'cpuUs');
    const cpuText = cpu.some(Number.isNaN) ? 'n/a' : spread(cpu);
    console.log(
      [name, spread(pick(runs[i], 'endToEnd')), spread(pick(runs[i], 'sending')), spread(pick(runs[i], 'startMs')), cpuText].join(' | '),
    );
  });
  const [cli, libFresh, libWarm, cliDefault] = runs.map((xs) => median(pick(xs, 'endToEnd')));
  console.log(
    `\nCLI end to end versus the library warm in this process (median, same rounds): ${(cli / libWarm).toFixed(2)}x (target >= 0.8x)`,
  );
  console.log(`CLI end to end versus the library's best warm run above: ${(cli / best).toFixed(2)}x`);
  console.log(`CLI end to end versus the library in a fresh process: ${(cli / libFresh).toFixed(2)}x`);
  const [cliCpu, , warmCpu] = runs.map((xs) => median(pick(xs, 'cpuUs')));
  if (!Number.isNaN(cliCpu)) {
    // Wall-clock ratios swing with the machine's load (the emulator waits for a core too); CPU per message does not, as much.
    console.log(
      `client CPU per message, the warm library's over the CLI's: ${(warmCpu / cliCpu).toFixed(2)}x ` +
        '(what the ratio tends to when the client, not the emulator, is the bottleneck)',
    );
  }
  console.log(`CLI at its default concurrency versus at ${bestLibC}: ${(cliDefault / cli).toFixed(2)}x end to end`);
  console.log(`library default concurrency ${DEFAULT_CONCURRENCY} versus its best: ${(libDefault / best).toFixed(2)}x (target >= 0.9x)`);

  if (RTT > 0) {
    const proxy = await startDelayProxy(RTT / 2);
    try {
      const viaKinds = [
        ['CLI', () => cliProduce(undefined, proxy.endpoint)],
        ['library, warm in this process', () => warmProduce(DEFAULT_CONCURRENCY, false, proxy.endpoint)],
      ];
      const viaRuns = viaKinds.map(() => []);
      for (let r = 0; r < REPEATS; r++) {
        for (let k = 0; k < viaKinds.length; k++) {
          const j = (k + r) % viaKinds.length;
          viaRuns[j].push(await viaKinds[j][1]());
        }
      }
      console.log(
        `\nwith ${RTT} ms added to every round trip (a delaying proxy in front of the emulator, like the network to real AWS), ` +
          `default concurrency ${DEFAULT_CONCURRENCY}, median (min-max) of ${REPEATS}:`,
      );
      console.log(['', 'end to end msg/s', 'client CPU us/msg'].join(' | '));
      viaKinds.forEach(([name], i) => {
        const cpu = pick(viaRuns[i], 'cpuUs');
        console.log([name, spread(pick(viaRuns[i], 'endToEnd')), cpu.some(Number.isNaN) ? 'n/a' : spread(cpu)].join(' | '));
      });
      const [viaCli, viaLib] = viaRuns.map((xs) => median(pick(xs, 'endToEnd')));
      console.log(`CLI end to end versus the warm library, ${RTT} ms round trips: ${(viaCli / viaLib).toFixed(2)}x`);
    } finally {
      proxy.stop();
    }
  }
} finally {
  admin.destroy();
  await stopLocalAws(home);
  rmSync(home, { recursive: true, force: true });
}
