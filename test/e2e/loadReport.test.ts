/**
 * The load report opened in a real browser (headless Chromium, no network): every
 * chart is drawn with non-empty paths and the inline script ran, and a run whose workers
 * paused has the pause shaded on each chart over time, where the x axis puts it. Skipped,
 * with the reason printed, when Chromium is not installed, unless SQSOPS_REQUIRE_CHROMIUM=1.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, type CliHome } from '../helpers/cli.js';
import { bandsOf, figure, legendOf } from '../helpers/reportBands.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const required = process.env.SQSOPS_REQUIRE_CHROMIUM === '1';
if (!CHROMIUM) {
  if (required) throw new Error('SQSOPS_REQUIRE_CHROMIUM=1 but no chromium at /usr/bin/chromium (apt-get install -y chromium)');
  console.warn('skipping the load report browser test: chromium is not installed (apt-get install -y chromium)');
}

let cli: CliHome;
let profile: string;
beforeAll(() => {
  cli = newHome();
  profile = mkdtempSync(join(tmpdir(), 'sqsops-chromium-'));
});
afterAll(async () => {
  await cli.cleanup();
  rmSync(profile, { recursive: true, force: true });
});

// No network, no first-run work, a profile of its own: the report must stand alone.
const QUIET = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'];
const flags = () => [...QUIET, '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`];

function chromium(args: string[]): string {
  return execFileSync(CHROMIUM!, [...flags(), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
}

describe.skipIf(!CHROMIUM)('the load report in a browser', () => {
  it('renders every chart offline, and the inline script marks the page rendered', async () => {
    const report = join(cli.home, 'load.html');
    const run = ['--queue', 'e2e-rep', '--rate', '20', '--duration', '3s', '--interval', '0.5s'];
    const r = await cli.run(['-q', 'load', ...run, '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(report, 'utf8');
    // Self-contained: nothing to fetch.
    expect(html).not.toMatch(/(?:src|href)=["']?https?:/i);
    expect(statSync(report).mode & 0o077).toBe(0);

    const dom = chromium(['--dump-dom', `file://${report}`]);
    const rendered = /data-charts-rendered="(\d+)"/.exec(dom);
    expect(rendered, 'the inline script did not run').not.toBeNull();
    for (const id of ['latency', 'throughput', 'depth', 'age', 'histogram']) {
      const figure = new RegExp(`<figure id="${id}">([\\s\\S]*?)</figure>`).exec(dom)?.[1] ?? '';
      const paths = [...figure.matchAll(/<path class="series[^"]*"[^>]* d="([^"]*)"/g)].map((m) => m[1]!);
      expect(paths.filter((d) => /^M[\d.]+,[\d.]+/.test(d)).length, `chart ${id} has no drawn path`).toBeGreaterThan(0);
    }
    // Each chart counted: at least one drawn path per figure.
    expect(Number(rendered![1])).toBeGreaterThanOrEqual(5);
    // The workers never paused: nothing shaded.
    expect(dom).not.toContain('class="band"');

    // And it paints: a screenshot is written and is not blank (a PNG of real size).
    const png = join(profile, 'shot.png');
    const shot = [`--screenshot=${png}`, '--window-size=1000,1600', `file://${report}`];
    spawnSync(CHROMIUM!, [...flags(), ...shot], { stdio: 'ignore', timeout: 60_000 });
    expect(statSync(png).size).toBeGreaterThan(20_000);
  });

  it('shades the workers pause on every chart over time, where the axis puts it, and flags those samples', async () => {
    const report = join(cli.home, 'paused.html');
    const run = ['--queue', 'e2e-rep-pause', '--rate', '20', '--duration', '3s', '--interval', '0.5s'];
    const pause = ['--pause-workers-at', '1s', '--resume-at', '2s'];
    const r = await cli.run(['--json', 'load', ...run, ...pause, '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const result = lines.at(-1) as { pause: { fromMs: number; toMs: number } };
    // The pause as it happened: from no earlier than asked, and a second or so long.
    expect(result.pause.fromMs).toBeGreaterThanOrEqual(995);
    expect(result.pause.toMs).toBeGreaterThan(result.pause.fromMs);
    const samples = lines.slice(0, -1) as { t: number; paused: boolean }[];
    // A sample is flagged exactly when its interval overlaps the pause.
    for (const [i, s] of samples.entries()) {
      const after = i > 0 ? samples[i - 1]!.t : 0;
      expect(s.paused, `sample at ${s.t} ms`).toBe(result.pause.fromMs < s.t && result.pause.toMs > after);
    }
    expect(samples.some((s) => s.paused)).toBe(true);
    expect(samples.some((s) => !s.paused)).toBe(true);

    const dom = chromium(['--dump-dom', `file://${report}`]);
    expect(dom).toMatch(/data-charts-rendered="\d+"/);
    for (const id of ['latency', 'throughput', 'depth', 'age']) {
      const bands = bandsOf(figure(dom, id));
      expect(
        bands.map((b) => b.label),
        id,
      ).toEqual(['workers paused']);
      // Where the x axis (seconds since the start) says the pause was; the report rounds to a tenth.
      expect(Math.abs(bands[0]!.from - result.pause.fromMs / 1000), `${id} band start`).toBeLessThan(0.06);
      expect(Math.abs(bands[0]!.to - result.pause.toMs / 1000), `${id} band end`).toBeLessThan(0.06);
      expect(legendOf(figure(dom, id))).toContain('workers paused');
    }
    expect(figure(dom, 'histogram')).not.toContain('class="band"');
  });
});
