import { describe, expect, it } from 'vitest';
import { Histogram } from '../../src/features/load/histogram.js';

function exact(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

describe('the latency histogram', () => {
  it('gives percentiles within 2% of the exact ones, and the exact max', () => {
    // A skewed, deterministic spread from 2 ms to about 20 s.
    const values = Array.from({ length: 5000 }, (_, i) => 2 + ((i * 7919) % 5000) ** 2 / 1250);
    const h = new Histogram();
    for (const v of values) h.record(v);
    for (const q of [0.5, 0.9, 0.99]) {
      const want = exact(values, q);
      expect(Math.abs(h.percentile(q) - want) / want).toBeLessThan(0.02);
    }
    expect(h.summary().max).toBeCloseTo(Math.max(...values), 1);
    expect(h.count).toBe(5000);
  });

  it('does not round a p99 just under 1 s up to the bucket edge above it', () => {
    // 955-1024 ms is one bucket; its upper edge (1,024) would read as "p99 over 1 s".
    const h = new Histogram();
    for (let i = 0; i < 1000; i++) h.record(300 + (i % 100) * 6.9); // 300 ms to 983.1 ms
    h.record(5000); // one outlier: the max, not the p99
    expect(h.percentile(0.99)).toBeLessThan(1000);
    expect(h.percentile(0.99)).toBeGreaterThan(950);
    expect(h.summary().max).toBe(5000);
  });

  it('reports zeros when empty and never a percentile above the max', () => {
    expect(new Histogram().summary()).toEqual({ count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 });
    const h = new Histogram();
    h.record(100);
    expect(h.percentile(0.99)).toBe(100);
  });

  it('merges two histograms into the counts of both, and lists its non-empty buckets', () => {
    const a = new Histogram();
    const b = new Histogram();
    for (let i = 1; i <= 100; i++) (i % 2 ? a : b).record(i * 10);
    a.merge(b);
    expect(a.count).toBe(100);
    expect(a.buckets().reduce((n, [, c]) => n + c, 0)).toBe(100);
    expect(a.percentile(0.5)).toBeGreaterThan(480);
    expect(a.percentile(0.5)).toBeLessThan(540);
  });
});
