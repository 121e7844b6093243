import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/features/load/report.js';
import type { LoadResult, LoadSample } from '../../src/features/load/types.js';
import { bandsOf, figure, legendOf } from '../helpers/reportBands.js';

const TIME_CHARTS = ['latency', 'throughput', 'depth', 'age'];

function sample(t: number, paused: boolean): LoadSample {
  const latency = { count: paused ? 0 : 10, mean: 25, p50: 20, p90: 30, p99: 40, max: 50 };
  return {
    t,
    phase: t <= 4000 ? 'send' : 'drain',
    askedRate: 20,
    sentRate: 20,
    completedRate: paused ? 0 : 20,
    latency,
    visible: paused ? t / 100 : 0,
    inFlight: 0,
    oldestAgeMs: paused ? t - 1000 : 30,
    workersRunning: paused ? 0 : 2,
    paused,
    sent: t / 50,
    completed: t / 50,
    processed: t / 50,
    inDlq: 0,
    onQueue: 0,
    foreignReleased: 0,
  };
}

/** A 5 s run sampled every 0.5 s; `pause` in ms since the start. */
function result(pause?: { fromMs: number; toMs: number }): LoadResult {
  const samples = Array.from({ length: 10 }, (_, i) => (i + 1) * 500).map((t) =>
    sample(t, pause !== undefined && pause.fromMs < t && pause.toMs > t - 500),
  );
  return {
    runId: 'r1',
    queue: 'q',
    ownQueue: true,
    kept: false,
    rate: '20/s',
    workers: { count: 2, mode: 'in-process' },
    durationMs: 4000,
    drainMs: 1000,
    asked: 80,
    sent: 80,
    sendFailed: 0,
    completed: 80,
    processed: 80,
    duplicatesSkipped: 0,
    toDlq: 0,
    inDlq: 0,
    leftOnQueue: 0,
    lost: 0,
    foreignReleased: 0,
    askedRate: 20,
    achievedRate: 20,
    senderLimited: false,
    latency: { count: 80, mean: 25, p50: 20, p90: 30, p99: 40, max: 50 },
    maxAgeMs: 1600,
    pause,
    samples,
    histogram: [[32, 80]],
    metrics: {},
  };
}

describe('the load report', () => {
  it('shades the pause on every chart over time, where the x axis puts it, with a legend entry', () => {
    const html = renderReport(result({ fromMs: 1040, toMs: 2530 }));
    for (const id of TIME_CHARTS) {
      const bands = bandsOf(figure(html, id));
      expect(bands, id).toHaveLength(1);
      expect(bands[0]!.label).toBe('workers paused');
      // Seconds, rounded to a tenth as the samples are.
      expect(bands[0]!.from).toBeCloseTo(1.0, 1);
      expect(bands[0]!.to).toBeCloseTo(2.5, 1);
      expect(legendOf(figure(html, id))).toContain('workers paused');
    }
    // The histogram has no time axis: no band.
    expect(figure(html, 'histogram')).not.toContain('class="band"');
    expect(html).toContain('1.0 s to 2.5 s');
  });

  it('keeps a pause that ran past the last sample inside the chart', () => {
    const bands = bandsOf(figure(renderReport(result({ fromMs: 3000, toMs: 9000 })), 'throughput'));
    expect(bands[0]!.from).toBeCloseTo(3, 1);
    expect(bands[0]!.to).toBeCloseTo(5, 1);
  });

  it('splits the latency by stage: a table of p50/p99 and a chart of each stage p99 over time', () => {
    const stages = {
      queue: { p50: 12, p99: 340, count: 80 },
      claim: { p50: 3, p99: 9, count: 80 },
      sinks: { p50: 5, p99: 21, count: 80 },
      delete: { p50: 2, p99: 7, count: 80 },
    };
    const r = result();
    r.stages = stages;
    for (const s of r.samples) s.stages = stages;
    const html = renderReport(r);
    const table = figure(html, 'stages');
    expect(table).toContain('waiting on the queue');
    expect(table).toMatch(/ledger claim<\/th><td class="n">3 ms<\/td><td class="n">9 ms<\/td><td class="n">80/);
    expect(legendOf(figure(html, 'stage-p99'))).toEqual(expect.arrayContaining(['queue', 'claim', 'sinks', 'delete']));
    // Without stage timings (worker processes) there is no such table.
    expect(renderReport(result())).not.toContain('id="stages"');
  });

  it('shades nothing and names no pause when the workers never paused', () => {
    const html = renderReport(result());
    expect(html).not.toContain('class="band"');
    for (const id of TIME_CHARTS) expect(legendOf(figure(html, id))).not.toContain('workers paused');
  });
});
