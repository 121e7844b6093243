#!/usr/bin/env node
/**
 * download-urls beside its peers, in one run, against one local server, over http and https:
 *  - many small files: 2,000 × 16 KiB, 16 at once; the target is the plain undici loop
 *    (bench/downloadUndici.mjs: `await request(url)` piped to a file, the same library
 *    without our code around it), curl --parallel reported beside it;
 *  - a few large files: 4 × 256 MiB, 4 at once (one connection per file for every tool);
 *    the target is curl;
 *  - the large files again at 64 MiB (--rss-mib), sqsops only: peak RSS must not grow with
 *    the file size.
 * Each tool runs as its own process under /usr/bin/time (wall, peak RSS, user + sys CPU)
 * and writes to a fresh folder on the same disk; the server (test/download/server.ts,
 * bodies generated, nothing stored; https with the throwaway CA of test/download/certs.ts)
 * runs in a process of its own so it is not counted. Every run is checked (file count and
 * bytes); tools take turns, each runs --reps times, and its fastest run is kept (peak RSS
 * is the highest seen, CPU the lowest). sqsops's figures include its process start, as a
 * user sees them. sqsops runs twice: as it ships (an fdatasync per file before its rename)
 * and with --no-fsync, which is what every other row does; targets are judged like for like.
 * "node floor" (bench/downloadFloor.mjs, http only) is Node with none of sqsops's code, only
 * GETs on keep-alive sockets and open/write/close/rename per file: no peer, it shows how
 * much of a gap to curl is Node itself.
 * The many-small-files folders are kept until every tool has run: deleting 2,000 files
 * makes the next 2,000 creates in that ext4 block group skip each freed inode for a minute
 * or more (recently_deleted(), seen with perf), so the tool that ran after a cleanup
 * paid for it (1.5 s instead of 0.2 s for curl, at random).
 * Usage: npm run build && node_modules/.bin/node bench/download.mjs [--small 2000] [--large 4] [--large-mib 256]
 *        [--rss-mib 64] [--reps 3] [--schemes http,https]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CURL, FLOOR, MINE, MINE_NO_SYNC, tools as allTools, UNDICI } from './downloadTools.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const flags = { small: '2000', large: '4', 'large-mib': '256', 'rss-mib': '64', reps: '3', schemes: 'http,https' };
const { values } = parseArgs({ options: Object.fromEntries(Object.entries(flags).map(([k, d]) => [k, { type: 'string', default: d }])) });
const SMALL = Number(values.small);
const LARGE = Number(values.large);
const MIB = 1024 * 1024;
const LARGE_BYTES = Number(values['large-mib']) * MIB;
const RSS_BYTES = Number(values['rss-mib']) * MIB;
const REPS = Number(values.reps);
const SCHEMES = values.schemes.split(',');
const work = mkdtempSync(join(tmpdir(), 'sqsops-bench-dl-'));

/** http and https servers in one process of their own; resolves with their origins and the CA file. */
function startServer(seeds) {
  const code = `import { startTestServer, bodyChunks } from ${JSON.stringify(join(ROOT, 'test/download/server.ts'))};
    import { testCerts } from ${JSON.stringify(join(ROOT, 'test/download/certs.ts'))};
    // certs.ts removes its folder on exit; a kill must go through exit too.
    process.on('SIGTERM', () => process.exit(0));
    for (const seed of ${JSON.stringify(seeds)}) for (const _ of bodyChunks(seed, 0, 256 * 65536));
    const certs = testCerts();
    const [plain, tls] = [await startTestServer(), await startTestServer({ tls: certs })];
    console.log(JSON.stringify({ http: plain.origin, https: tls.origin, caFile: certs.caFile }));`;
  const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolveServer, reject) => {
    child.stdout.once('data', (d) => resolveServer({ ...JSON.parse(d.toString()), stop: () => child.kill() }));
    child.once('exit', (c) => reject(new Error(`server exited (${c})`)));
  });
}

function checkFolder(dir, count, bytesEach) {
  const files = readdirSync(dir).filter((f) => !f.endsWith('.part') && !f.endsWith('.aria2'));
  const bad = files.filter((f) => statSync(join(dir, f)).size !== bytesEach);
  if (files.length !== count || bad.length) throw new Error(`${dir}: ${files.length}/${count} files, ${bad.length} of the wrong size`);
}

const notes = [];
const server = await startServer([1, ...Array.from({ length: LARGE }, (_, i) => i + 2)]);
const TOOLS = allTools({ work, root: ROOT }).filter((t) => {
  if (!t.available()) notes.push(t.missing);
  return t.available();
});
const fileUrls = (origin, prefix, n, bytes, seed) =>
  Array.from({ length: n }, (_, i) => `${origin}/file/${prefix}${String(i).padStart(5, '0')}.bin?size=${bytes}&seed=${seed(i)}`);
const sets = SCHEMES.flatMap((scheme) => [
  {
    scheme,
    kind: 'small',
    count: SMALL,
    bytes: 16 * 1024,
    concurrency: 16,
    target: UNDICI,
    urls: (o) => fileUrls(o, 's', SMALL, 16 * 1024, () => 1),
  },
  {
    scheme,
    kind: 'large',
    count: LARGE,
    bytes: LARGE_BYTES,
    concurrency: LARGE,
    target: CURL,
    urls: (o) => fileUrls(o, 'l', LARGE, LARGE_BYTES, (i) => i + 2),
  },
  {
    scheme,
    kind: 'rss',
    count: LARGE,
    bytes: RSS_BYTES,
    concurrency: LARGE,
    only: [MINE, MINE_NO_SYNC],
    urls: (o) => fileUrls(o, 'm', LARGE, RSS_BYTES, (i) => i + 2),
  },
])
  // --rss-mib 0 (or the large size itself) asks for no memory comparison.
  .filter((s) => s.kind !== 'rss' || (RSS_BYTES && RSS_BYTES !== LARGE_BYTES))
  .map((s) => ({ ...s, label: `${s.scheme} ${s.count} × ${s.bytes >= MIB ? `${s.bytes / MIB} MiB` : `${s.bytes / 1024} KiB`}` }));

const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const rows = [];
const verdicts = [];
const runLines = [];
const bySet = {};
try {
  for (const set of sets) {
    const t = { scheme: set.scheme, caFile: server.caFile };
    const tools = TOOLS.filter((tool) => tool.schemes.includes(set.scheme) && (!set.only || set.only.includes(tool.name)));
    const urls = set.urls(server[set.scheme]);
    const results = {};
    bySet[set.label] = results;
    // Many small files: delete nothing until the set is done (see the top).
    // A few large ones: delete at once (4 inodes, and the disk space).
    const keep = set.count > 100 ? [] : undefined;
    // Tools take turns, so a burst of load on the machine hits them alike; the best of the runs is kept.
    // Each round starts one tool later, so no tool always runs first (or right after another's cleanup).
    for (let rep = 0; rep < REPS; rep++) {
      for (const tool of tools.map((_, k) => tools[(k + rep) % tools.length])) {
        const dir = mkdtempSync(join(work, 'out-'));
        const m = tool.run(urls, dir, set.concurrency, t);
        checkFolder(dir, set.count, set.bytes);
        if (keep) keep.push(dir);
        else rmSync(dir, { recursive: true, force: true });
        const best = results[tool.name];
        const runs = [...(best?.runs ?? []), m.seconds];
        const rssMiB = Math.max(m.rssMiB, best?.rssMiB ?? 0);
        const cpu = Math.min(m.cpu, best?.cpu ?? Infinity);
        if (!best || m.seconds < best.seconds) results[tool.name] = { seconds: m.seconds, rssMiB, cpu, runs };
        else Object.assign(best, { rssMiB, cpu, runs });
      }
    }
    for (const dir of keep ?? []) rmSync(dir, { recursive: true, force: true });
    // Like for like: sqsops without syncs against the tools, which never sync.
    const mine = results[MINE_NO_SYNC];
    const gib = (set.count * set.bytes) / 1024 / MIB;
    for (const tool of tools) {
      const m = results[tool.name];
      const ratio = mine && !tool.name.startsWith('sqsops') ? (m.seconds / mine.seconds).toFixed(2) : '-';
      const mibs = (gib * 1024) / m.seconds;
      rows.push([
        set.label,
        tool.name,
        tool.syncs,
        m.seconds.toFixed(2),
        mibs.toFixed(0),
        (set.count / m.seconds).toFixed(0),
        ratio,
        m.rssMiB.toFixed(0),
        m.cpu.toFixed(2),
        (m.cpu / gib).toFixed(2),
      ]);
    }
    runLines.push(
      `${set.label}: ${tools.map((tool) => `${tool.name} ${results[tool.name].runs.map((x) => x.toFixed(2)).join('/')} s`).join('; ')}`,
    );
    const target = set.target && results[set.target];
    if (target && mine) {
      // Each figure: the other's seconds ÷ sqsops's, so above 1 means sqsops was faster.
      const x = (r, m = mine) => (r && m ? `${(r.seconds / m.seconds).toFixed(2)}×` : 'not run');
      const curl = set.target !== CURL && results[CURL] ? `; beside curl ${x(results[CURL])}` : '';
      const floor = results[FLOOR] ? `; the Node floor beside ${set.target} ${x(target, results[FLOOR])}` : '';
      verdicts.push(
        `${set.label}: target ≥ 1.00× ${set.target}: ${target.seconds / mine.seconds >= 1 ? 'MET' : 'MISSED'}, ` +
          `sqsops --no-fsync ${x(target)} (${mine.seconds.toFixed(2)} s against ${target.seconds.toFixed(2)} s); ` +
          `as shipped (fdatasync per file) ${x(target, results[MINE])}${curl}${floor}`,
      );
    }
  }
} finally {
  server.stop();
  rmSync(work, { recursive: true, force: true });
}
// Memory flat in file size: the same 4 files at two sizes, sqsops's peak RSS side by side.
for (const scheme of SCHEMES) {
  const big = bySet[sets.find((s) => s.scheme === scheme && s.kind === 'large')?.label];
  const small = bySet[sets.find((s) => s.scheme === scheme && s.kind === 'rss')?.label];
  if (!big || !small) continue;
  const rss = (r, name) => `${r[name].rssMiB.toFixed(0)} MiB`;
  verdicts.push(
    `${scheme} memory: sqsops peak RSS ${rss(small, MINE)} at ${values['rss-mib']} MiB files, ` +
      `${rss(big, MINE)} at ${values['large-mib']} MiB ` +
      `(--no-fsync ${rss(small, MINE_NO_SYNC)} and ${rss(big, MINE_NO_SYNC)})`,
  );
}

const cpuModel = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'cpu?';
console.log(
  `download-urls bench: Node ${process.version}, ${cpuModel}, servers on 127.0.0.1 in their own process, ` +
    `best of ${REPS} runs, load average before ${loadBefore}\n`,
);
const head = [
  'files',
  'tool',
  'syncs',
  'seconds',
  'MiB/s',
  'files/s',
  'tool s ÷ sqsops --no-fsync s',
  'peak RSS MiB',
  'CPU s',
  'CPU s/GiB',
];
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
console.log(
  "\nAbove 1 means sqsops was faster. CPU is user + sys of the tool's process (the lowest of its runs). As shipped, sqsops " +
    'fdatasyncs each file before its rename (a file under its final name survives a crash whole); --no-fsync and every other tool ' +
    'leave the writing to the kernel.',
);
