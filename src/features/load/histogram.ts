/**
 * Latency histogram with log buckets (HDR-style, hand-rolled): 10 buckets per power of
 * two from 1 ms, so any percentile is within about 7% of the true value, in constant
 * memory however many messages a soak run completes. Pure.
 */

const PER_OCTAVE = 10;
const BUCKETS = PER_OCTAVE * 30; // up to 2^30 ms (12 days): nothing waits longer in SQS

function bucketOf(ms: number): number {
  if (ms <= 1) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log2(ms) * PER_OCTAVE));
}

/** The upper edge of a bucket, in ms (what a percentile in it is reported as). */
export function bucketUpper(i: number): number {
  return i === 0 ? 1 : 2 ** (i / PER_OCTAVE);
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export class Histogram {
  private readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  max = 0;
  private sum = 0;

  record(ms: number): void {
    const v = Math.max(0, ms);
    this.counts[bucketOf(v)]!++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
  }

  /** The latency under which `q` (0..1) of the recorded values fall; never above the max seen. */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(bucketUpper(i), this.max);
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      p50: round(this.percentile(0.5)),
      p90: round(this.percentile(0.9)),
      p99: round(this.percentile(0.99)),
      max: round(this.max),
      mean: this.count ? round(this.sum / this.count) : 0,
    };
  }

  /** Non-empty buckets as [upper edge ms, count], for the report's histogram chart. */
  buckets(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]) out.push([round(bucketUpper(i)), this.counts[i]!]);
    return out;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
