#!/usr/bin/env node
/**
 * download-urls beside aria2c and curl --parallel, in one run, against one local server:
 *  - many small files: 2,000 × 16 KiB, 16 at once;
 *  - a few large files: 4 × 256 MiB, 4 at once (one connection per file for every tool).
 * Each tool runs as its own process under /usr/bin/time (peak RSS) and writes to a fresh
 * folder on the same disk; the server (test/download/server.ts, bodies generated, nothing
 * stored) runs in a process of its own so it is not counted. Every run is checked (file
 * count and bytes); tools take turns, each runs --reps times, and its fastest run is kept
 * (peak RSS is the highest seen). sqsops's figures include its process start, as a user
 * sees them. sqsops runs twice: as it ships (an fdatasync per file before its rename) and
 * with --no-fsync, which is what curl and aria2c do; the target is judged like for like.
 * A last row, "node floor", is bench/downloadFloor.mjs: Node with none of sqsops's code,
 * only GETs on keep-alive sockets and open/write/close/rename per file. It is no peer
 * (the verdict ignores it); it shows how much of a gap to curl is Node itself.
 * The many-small-files folders are kept until every tool has run: deleting 2,000 files
 * makes the next 2,000 creates in that ext4 block group skip each freed inode for a minute
 * or more (recently_deleted(), seen with perf), so the tool that ran after a cleanup
 * paid for it (1.5 s instead of 0.2 s for curl, at random).
 * Usage: npm run build && node_modules/.bin/node bench/download.mjs [--small 2000] [--large 4] [--large-mib 256] [--reps 3]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { small: { type: 'string', default: '2000' }, large: { type: 'string', default: '4' }, 'large-mib': { type: 'string', default: '256' }, reps: { type: 'string', default: '3' } } });
const SMALL = Number(values.small);
const LARGE = Number(values.large);
const LARGE_BYTES = Number(values['large-mib']) * 1024 * 1024;
const REPS = Number(values.reps);
const work = mkdtempSync(join(tmpdir(), 'sqsops-bench-dl-'));

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** The server in its own process; resolves with its origin. Bodies for the seeds used are made before timing. */
function startServer(seeds) {
  const code = `import { startTestServer, bodyChunks } from ${JSON.stringify(join(ROOT, 'test/download/server.ts'))};
    for (const seed of ${JSON.stringify(seeds)}) for (const _ of bodyChunks(seed, 0, 256 * 65536));
    const s = await startTestServer(); console.log(s.origin);`;
  const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolveOrigin, reject) => {
    child.stdout.once('data', (d) => resolveOrigin({ origin: d.toString().trim(), stop: () => child.kill() }));
    child.once('exit', (c) => reject(new Error(`server exited (${c})`)));
  });
}

/** Runs argv under /usr/bin/time; returns wall seconds and peak RSS in MiB. */
function measure(argv, env = process.env) {
  const timeFile = join(work, 'time.txt');
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', timeFile, ...argv], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${argv[0]} exited ${r.status}: ${(r.stderr || r.stdout).slice(0, 400)}`);
  const kib = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  return { seconds, rssMiB: kib / 1024 };
}

function checkFolder(dir, count, bytesEach) {
  const files = readdirSync(dir).filter((f) => !f.endsWith('.part') && !f.endsWith('.aria2'));
  const bad = files.filter((f) => statSync(join(dir, f)).size !== bytesEach);
  if (files.length !== count || bad.length) throw new Error(`${dir}: ${files.length}/${count} files, ${bad.length} of the wrong size`);
}

const sqsops = (name, extra, syncs) => ({
  name,
  syncs,
  peer: false,
  available: () => existsSync(join(ROOT, 'dist/cli.js')),
  missing: 'dist/ is not built: run npm run build',
  run: (urls, dir, c) => {
    const list = join(work, 'list.json');
    writeFileSync(list, JSON.stringify(urls));
    const home = join(work, 'home');
    return measure([process.execPath, join(ROOT, 'bin/sqsops.js'), '-q', 'download-urls', list, '--out', dir, '--concurrency', String(c), ...extra], { ...process.env, SQSOPS_HOME: home, NO_COLOR: '1' });
  },
});
const MINE = 'sqsops download-urls';
const MINE_NO_SYNC = 'sqsops download-urls --no-fsync';
const TOOLS = [
  sqsops(MINE, [], 'fdatasync'),
  sqsops(MINE_NO_SYNC, ['--no-fsync'], 'no'),
  {
    name: 'aria2c',
    syncs: 'no',
    peer: true,
    available: () => have('aria2c'),
    missing: 'aria2c is not installed (apt-get install -y aria2): skipped',
    run: (urls, dir, c) => {
      const list = join(work, 'list.txt');
      writeFileSync(list, `${urls.join('\n')}\n`);
      return measure(['aria2c', '-q', '-i', list, '-d', dir, '-j', String(c), '-x', '1', '-s', '1', '--file-allocation=none', '--auto-file-renaming=false', '--allow-overwrite=true', '--summary-interval=0']);
    },
  },
  {
    name: 'curl --parallel',
    syncs: 'no',
    peer: true,
    available: () => have('curl'),
    missing: 'curl is not installed (apt-get install -y curl): skipped',
    run: (urls, dir, c) => {
      const cfg = join(work, 'curl.cfg');
      writeFileSync(cfg, urls.map((u) => `url = "${u}"\noutput = "${join(dir, new URL(u).pathname.split('/').pop())}"\n`).join(''));
      return measure(['curl', '--parallel', '--parallel-max', String(c), '--fail', '--silent', '--show-error', '-K', cfg]);
    },
  },
  {
    name: 'node floor (no sqsops)',
    syncs: 'no',
    peer: false,
    available: () => true,
    run: (urls, dir, c) => {
      const list = join(work, 'list.json');
      writeFileSync(list, JSON.stringify(urls));
      return measure([process.execPath, join(ROOT, 'bench/downloadFloor.mjs'), list, dir, String(c)]);
    },
  },
];

const notes = [];
const tools = TOOLS.filter((t) => t.available() || (notes.push(t.missing), false));
const sets = [
  { label: `${SMALL} × 16 KiB`, count: SMALL, bytes: 16 * 1024, concurrency: 16, urls: (o) => Array.from({ length: SMALL }, (_, i) => `${o}/file/s${String(i).padStart(5, '0')}.bin?size=${16 * 1024}&seed=1`) },
  { label: `${LARGE} × ${LARGE_BYTES / 1024 / 1024} MiB`, count: LARGE, bytes: LARGE_BYTES, concurrency: LARGE, urls: (o) => Array.from({ length: LARGE }, (_, i) => `${o}/file/l${i}.bin?size=${LARGE_BYTES}&seed=${i + 2}`) },
];

const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const server = await startServer([1, ...Array.from({ length: LARGE }, (_, i) => i + 2)]);
const rows = [];
const verdicts = [];
const runLines = [];
try {
  for (const set of sets) {
    const urls = set.urls(server.origin);
    const results = {};
    // Many small files: delete nothing until the set is done (see the top). A few large ones: delete at once (4 inodes, and the disk space).
    const keep = set.count > 100 ? [] : undefined;
    // Tools take turns, so a burst of load on the machine hits them alike; the best of the runs is kept.
    // Each round starts one tool later, so no tool always runs first (or right after another's cleanup).
    for (let rep = 0; rep < REPS; rep++) {
      for (const tool of tools.map((_, k) => tools[(k + rep) % tools.length])) {
        const dir = mkdtempSync(join(work, 'out-'));
        const m = tool.run(urls, dir, set.concurrency);
        checkFolder(dir, set.count, set.bytes);
        if (keep) keep.push(dir);
        else rmSync(dir, { recursive: true, force: true });
        const best = results[tool.name];
        const runs = [...(best?.runs ?? []), m.seconds];
        if (!best || m.seconds < best.seconds) results[tool.name] = { seconds: m.seconds, rssMiB: Math.max(m.rssMiB, best?.rssMiB ?? 0), runs };
        else Object.assign(best, { rssMiB: Math.max(m.rssMiB, best.rssMiB), runs });
      }
    }
    for (const dir of keep ?? []) rmSync(dir, { recursive: true, force: true });
    // Like for like: sqsops without syncs against the tools, which never sync.
    const mine = results[MINE_NO_SYNC];
    for (const tool of tools) {
      const m = results[tool.name];
      const mibs = (set.count * set.bytes) / 1024 / 1024 / m.seconds;
      const ratio = mine && tool.syncs === 'no' && !tool.name.startsWith('sqsops') ? (m.seconds / mine.seconds).toFixed(2) : '-';
      rows.push([set.label, tool.name, tool.syncs, m.seconds.toFixed(2), mibs.toFixed(0), (set.count / m.seconds).toFixed(0), ratio, m.rssMiB.toFixed(0)]);
    }
    runLines.push(`${set.label}: ${tools.map((t) => `${t.name} ${results[t.name].runs.map((x) => x.toFixed(2)).join('/')} s`).join('; ')}`);
    const peers = tools.filter((t) => t.peer).map((t) => ({ name: t.name, ...results[t.name] }));
    const best = peers.sort((a, b) => a.seconds - b.seconds)[0];
    if (best && mine) {
      const synced = results[MINE];
      const floor = results['node floor (no sqsops)'];
      verdicts.push(
        `${set.label}: sqsops --no-fsync ${(best.seconds / mine.seconds).toFixed(2)}× the better of the peers (${best.name}, ${best.seconds.toFixed(2)} s), like for like${
          synced ? `; as shipped (fdatasync per file) ${(best.seconds / synced.seconds).toFixed(2)}×` : ''
        }${floor ? `; the Node floor (no sqsops code) ${(best.seconds / floor.seconds).toFixed(2)}×` : ''}`,
      );
    }
  }
} finally {
  server.stop();
  rmSync(work, { recursive: true, force: true });
}

console.log(`download-urls bench: Node ${process.version}, ${readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'cpu?'}, server on 127.0.0.1 in its own process, best of ${REPS} runs, load average before ${loadBefore}\n`);
const head = ['files', 'tool', 'syncs each file', 'seconds', 'MiB/s', 'files/s', 'sqsops --no-fsync throughput ÷ tool', 'peak RSS MiB'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
console.log('');
for (const v of verdicts) console.log(v);
console.log('\nevery run, in order:');
for (const l of runLines) console.log(`  ${l}`);
for (const n of notes) console.log(`\nnote: ${n}`);
console.log('\nAbove 1 means sqsops was faster. As shipped, sqsops fdatasyncs each file before its rename (a file under its final name survives a crash whole); --no-fsync, aria2c and curl leave the writing to the kernel.');
