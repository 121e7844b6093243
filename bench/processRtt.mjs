/**
 * bench:process at real-network round trips: every call goes through the delaying proxy
 * (bench/delayProxy.mjs, RTT ms added to each round trip) to the emulator, reached as "AWS".
 * Side by side, interleaved, on queues of the same size: process-sqs --concurrency auto (its
 * defaults, untuned), process-sqs at its default concurrency, sqs-consumer at its defaults, and
 * sqs-consumer hand-tuned (batch size 10, its best instance count from a small sweep). Each
 * figure is msg/s until the last message is acknowledged, with the load average beside it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { SQSClient, CreateQueueCommand, DeleteQueueCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { processSqs } from '../dist/index.js';
import { createClients } from '../dist/testing.js';

/** The delaying proxy in its own process (its CPU is not the client's), in front of the emulator. */
async function startDelayProxy(endpoint, oneWayMs) {
  const { host } = new URL(endpoint);
  const script = new URL('./delayProxy.mjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [script, '--target', host, '--delay', String(oneWayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(child.stdout, 'data');
  return { endpoint: `http://127.0.0.1:${String(line).trim()}`, stop: () => child.kill() };
}

const load1 = () => loadavg()[0];
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function rttRows({ endpoint, credentials, n, rtt, repeats, body, sweep = [4, 8, 16, 32, 64] }) {
  // Filling and deleting queues goes straight to the emulator: only the measured runs pay the round trips.
  const admin = new SQSClient({ endpoint, region: 'us-east-1', credentials });
  const proxy = await startDelayProxy(endpoint, rtt / 2);
  const viaSqs = new SQSClient({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials,
    requestHandler: { httpAgent: { keepAlive: true, maxSockets: 256 } },
  });
  let seq = 0;
  const filled = async (count = n) => {
    const QueueName = `bench-rtt-${seq++}`;
    const { QueueUrl } = await admin.send(new CreateQueueCommand({ QueueName, Attributes: { VisibilityTimeout: '60' } }));
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < count) {
          const base = next;
          next += 10;
          const Entries = Array.from({ length: 10 }, (_, i) => ({
            Id: String(i),
            MessageBody: body.replace('o'.repeat(36), `order-${base + i}`.padEnd(36, 'x')),
          }));
          await admin.send(new SendMessageBatchCommand({ QueueUrl, Entries }));
        }
      }),
    );
    return { name: QueueName, url: QueueUrl.replace(new URL(endpoint).host, new URL(proxy.endpoint).host) };
  };
  const drop = (q) => admin.send(new DeleteQueueCommand({ QueueUrl: q.url.replace(new URL(proxy.endpoint).host, new URL(endpoint).host) }));

  /** sqsops through the proxy; the clock stops at the last acknowledgement (not when idle long polls return). */
  const sqsops = async (extra) => {
    const q = await filled();
    const clients = createClients({ kind: 'aws', region: 'us-east-1', endpoints: { sqs: proxy.endpoint }, reason: 'bench', credentials });
    const stop = new AbortController();
    let acked = 0;
    let doneAt = 0;
    const notes = [];
    const t0 = performance.now();
    const r = await processSqs(clients, {
      // A URL, as sqs-consumer is given: no GetQueueUrl round trip on the clock.
      queue: q.url,
      waitSeconds: 1,
      ledgerTable: false,
      key: 'orderId',
      signal: stop.signal,
      notify: (m) => notes.push(m),
      observer: {
        acknowledged(count) {
          acked += count;
          if (acked >= n && !doneAt) {
            doneAt = performance.now();
            stop.abort();
          }
        },
      },
      ...extra,
    });
    clients.destroy();
    await drop(q);
    if (r.metrics.MessagesDeleted !== n) throw new Error(`sqsops deleted ${r.metrics.MessagesDeleted}/${n}`);
    const changes = notes.filter((m) => m.startsWith('concurrency ')).map((m) => m.split(':')[0].slice('concurrency '.length));
    return { perSecond: n / ((doneAt - t0) / 1000), load: load1(), changes };
  };
  /** sqs-consumer through the proxy; stopped (its receives aborted) before its queue goes. */
  const consumer = async (instances, options, count = n) => {
    const q = await filled(count);
    let done = 0;
    const consumers = Array.from({ length: instances }, () =>
      Consumer.create({ queueUrl: q.url, sqs: viaSqs, ...options, handleMessageBatch: async (messages) => messages }),
    );
    const t0 = performance.now();
    await new Promise((resolve) => {
      for (const c of consumers) {
        c.on('message_processed', () => {
          if (++done === count) resolve();
        });
        // Its receives cut by the stop are expected; anything else is shown.
        c.on('error', (e) => /aborted/i.test(e.message) || console.error('sqs-consumer:', e.message));
        c.start();
      }
    });
    const perSecond = count / ((performance.now() - t0) / 1000);
    await Promise.all(
      consumers.map((c) => {
        const stopped = once(c, 'stopped');
        c.stop({ abort: true });
        return stopped;
      }),
    );
    await drop(q);
    return { perSecond, load: load1() };
  };

  const kinds = {
    'process-sqs --concurrency auto': () => sqsops({ autoscale: { min: 1, max: 32, targetAgeSeconds: 30 } }),
    'process-sqs (default concurrency 4)': () => sqsops({}),
    'process-sqs --concurrency 16 (by hand, for reference)': () => sqsops({ concurrency: 16 }),
    'process-sqs --concurrency 32 (by hand, for reference)': () => sqsops({ concurrency: 32 }),
    // One message per receive: a tenth of the messages keeps the row under a minute; msg/s is comparable.
    [`sqs-consumer, its defaults (batch size 1, 1 instance; ${Math.ceil(n / 10)} messages)`]: () => consumer(1, {}, Math.ceil(n / 10)),
  };
  for (const c of sweep) kinds[`sqs-consumer, batch size 10, ${c} instances`] = () => consumer(c, { batchSize: 10, waitTimeSeconds: 1 });
  const runs = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
  try {
    for (let r = 0; r < repeats; r++) for (const [name, run] of Object.entries(kinds)) runs[name].push(await run());
  } finally {
    proxy.stop();
    viaSqs.destroy();
    admin.destroy();
  }
  const best = (name) => runs[name].reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const tuned = sweep
    .map((c) => `sqs-consumer, batch size 10, ${c} instances`)
    .reduce((a, b) => (best(b).perSecond > best(a).perSecond ? b : a));
  console.log(
    `\nwith ${rtt} ms added to every round trip (the delaying proxy in front of the emulator), ${n} messages per run, best of ${repeats}:`,
  );
  console.log(['', 'msg/s', 'load average (1 min) after the run', 'all runs msg/s'].join(' | '));
  for (const name of Object.keys(kinds)) {
    const b = best(name);
    const all = runs[name].map((x) => x.perSecond.toFixed(0)).join(', ');
    const mark = name === tuned ? ' (hand-tuned: best of the sweep)' : '';
    console.log([`${name}${mark}`, b.perSecond.toFixed(0), b.load.toFixed(1), all].join(' | '));
  }
  const auto = best('process-sqs --concurrency auto');
  console.log(
    `auto's pollers in its best run: ${auto.changes.length ? `1 -> ${auto.changes.map((c) => c.split(' -> ')[1]).join(' -> ')}` : 'no change'}`,
  );
  const vs = auto.perSecond / best(tuned).perSecond;
  const vsMedian = median(runs['process-sqs --concurrency auto'].map((x) => x.perSecond)) / median(runs[tuned].map((x) => x.perSecond));
  console.log(
    `--concurrency auto, untuned: ${vs.toFixed(2)}x the hand-tuned sqs-consumer (best to best; ${vsMedian.toFixed(2)}x median to median; target >= 1.0x), ` +
      `${(auto.perSecond / best('process-sqs (default concurrency 4)').perSecond).toFixed(2)}x process-sqs at its default concurrency`,
  );
}
