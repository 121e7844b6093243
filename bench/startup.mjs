#!/usr/bin/env node
/**
 * Start-up cost: `sqsops --help` beside bare `node -e 0`, same Node, median of 25 runs
 * each, interleaved so machine noise hits both alike. Target: <= 1.5x. The load average is
 * printed before and after: on a busy machine the ratio rises, so compare runs at like loads.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';

const RUNS = 25;
function time(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const loadBefore = load();
const bare = [];
const help = [];
const version = [];
for (let i = 0; i < RUNS; i++) {
  bare.push(time(['-e', '0']));
  help.push(time(['bin/sqsops.js', '--help']));
  version.push(time(['bin/sqsops.js', '--version']));
}
const b = median(bare);
console.log(`Node ${process.version}, median of ${RUNS} runs; load average ${loadBefore} before, ${load()} after`);
console.log(`node -e 0            ${b.toFixed(1)} ms`);
console.log(`sqsops --help        ${median(help).toFixed(1)} ms  = ${(median(help) / b).toFixed(2)}x (target <= 1.5x)`);
console.log(`sqsops --version     ${median(version).toFixed(1)} ms  = ${(median(version) / b).toFixed(2)}x`);
