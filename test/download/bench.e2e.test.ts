/**
 * bench/download.mjs at a tiny size (npm run build first): the bench command of docs/download-urls.md runs,
 * measures every tool it can find over http and https, and prints a table and verdicts that
 * add up. Figures are not judged here (wall clock on a shared machine proves nothing); the
 * shape of the output is.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

describe('bench/download.mjs', () => {
  it('prints a row per tool and scheme, a verdict per target and the peak RSS at two sizes', () => {
    const args = ['--small', '12', '--large', '2', '--large-mib', '2', '--rss-mib', '1', '--reps', '1'];
    const r = spawnSync(process.execPath, [join(ROOT, 'bench/download.mjs'), ...args], { encoding: 'utf8', timeout: 170_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^\| https? /.test(l));
    const cellsOf = (l: string) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
    const row = (set: string, tool: string) => rows.filter((l) => cellsOf(l)[0] === set && cellsOf(l)[1] === tool);
    const tools = ['sqsops download-urls', 'sqsops download-urls --no-fsync', 'undici request() loop'];
    if (have('curl')) tools.push('curl --parallel');
    if (have('aria2c')) tools.push('aria2c');
    for (const set of ['http 12 × 16 KiB', 'http 2 × 2 MiB', 'https 12 × 16 KiB', 'https 2 × 2 MiB']) {
      for (const tool of tools) expect(row(set, tool), `${set} ${tool}`).toHaveLength(1);
    }
    // The floor has no TLS: an http row only.
    expect(row('http 12 × 16 KiB', 'node floor (no sqsops)')).toHaveLength(1);
    expect(rows.filter((l) => l.startsWith('| https ') && l.includes('node floor'))).toHaveLength(0);
    // The memory sets run sqsops alone, in both modes.
    expect(rows.filter((l) => l.startsWith('| http 2 × 1 MiB '))).toHaveLength(2);
    // Ten columns, every figure a number; CPU s/GiB is CPU s over the GiB the set received.
    for (const l of rows) {
      const cells = cellsOf(l);
      expect(cells).toHaveLength(10);
      for (const i of [3, 4, 5, 7, 8, 9]) expect(Number.isFinite(Number(cells[i])), l).toBe(true);
      const [count, size, unit] = cells[0]!
        .split(' ')
        .slice(1)
        .filter((w) => w !== '×');
      const gib = (Number(count) * Number(size) * (unit === 'MiB' ? 1024 : 1)) / 1024 / 1024;
      // Both printed to two decimals: the quotient may be off by the rounding of each.
      expect(Math.abs(Number(cells[9]) - Number(cells[8]) / gib), l).toBeLessThanOrEqual(0.005 / gib + 0.005);
    }
    const largeTargets = have('curl') ? 2 : 0;
    expect(r.stdout.match(/target ≥ 1\.00× undici request\(\) loop: (MET|MISSED)/g)).toHaveLength(2);
    expect(r.stdout.match(/target ≥ 1\.00× curl --parallel: (MET|MISSED)/g) ?? []).toHaveLength(largeTargets);
    expect(r.stdout).toMatch(/^http memory: sqsops peak RSS \d+ MiB at 1 MiB files, \d+ MiB at 2 MiB/m);
    expect(r.stdout).toMatch(/^https memory: sqsops peak RSS \d+ MiB at 1 MiB files, \d+ MiB at 2 MiB/m);
  });
});
