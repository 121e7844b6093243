#!/usr/bin/env node
/**
 * The highest rate `load` holds on this machine: runLoad at rising rates on the embedded
 * local AWS daemon (state on disk, as the CLI uses it), ledger on, K in-process workers.
 * A rate holds when it was sent in full (not sender limited), nothing was lost, and p99
 * stayed under 1 s. Each rate runs on a queue of its own (runLoad's default, removed after it)
 * and its own ledger table.
 * Usage: npm run bench:load [-- --rates 50,100,200,400,800 --duration 10s --workers 2]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runLoad } from '../dist/index.js';
import { ensureLocalAws, localCredentials, stopLocalAws, createClients } from '../dist/testing.js';
import { parseRate, parseDuration } from '../dist/core.js';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '50,100,200,400,800,1600' },
    duration: { type: 'string', default: '10s' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '4' },
  },
});
const home = mkdtempSync(join(tmpdir(), 'sqsops-bench-load-'));
const { server } = await ensureLocalAws({ home, port: 0, idleMinutes: 10 });
const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: server.endpoint, credentials: localCredentials(home) });
const machine = `Node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at the start`;
const workers = `${values.workers} in-process workers x ${values.concurrency} pollers`;
console.log(`load: ${values.duration} per rate, ${workers}, ledger on, ${machine}\n`);
console.log('asked msg/s | sent msg/s | completed | lost | p50 ms | p99 ms | max ms | holds');
let best;
try {
  for (const [i, rate] of values.rates.split(',').map(Number).entries()) {
    const r = await runLoad(clients, {
      rate: parseRate(String(rate)),
      durationMs: parseDuration('--duration', values.duration),
      workers: Number(values.workers),
      drainTimeoutMs: 60_000,
      worker: {
        mode: 'in-process',
        options: async () => ({ ledgerTable: `bench-load-ledger-${i}`, concurrency: Number(values.concurrency) }),
      },
    });
    const holds = !r.senderLimited && r.lost === 0 && r.latency.p99 < 1000;
    const verdict = holds ? 'yes' : r.senderLimited ? 'no (sender limited)' : 'no';
    console.log([rate, r.achievedRate, r.completed, r.lost, r.latency.p50, r.latency.p99, r.latency.max, verdict].join(' | '));
    if (holds) best = rate;
    else break;
  }
  const held = best === undefined ? 'none of those tried' : `${best} msg/s`;
  console.log(`\nhighest rate held with p99 under 1 s: ${held} (load average now ${loadavg()[0].toFixed(1)})`);
} finally {
  clients.destroy();
  await stopLocalAws(home);
  rmSync(home, { recursive: true, force: true });
}
