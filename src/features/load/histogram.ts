/**
 * Latency histogram with log buckets (HDR-style, hand-rolled): 10 buckets per power of
 * two from 1 ms, in constant memory however many messages a soak run completes. Each
 * bucket also keeps the least and greatest value it saw, and a percentile is placed by
 * its rank between those, not at the bucket's upper edge: the edge read up to 7% high,
 * so a p99 of 980 ms showed as 1,024 and a rate that held p99 under 1 s was judged not
 * to. A percentile is never outside the values recorded in its bucket. Pure.
 */

const PER_OCTAVE = 10;
const BUCKETS = PER_OCTAVE * 30; // up to 2^30 ms (12 days): nothing waits longer in SQS

function bucketOf(ms: number): number {
  if (ms <= 1) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log2(ms) * PER_OCTAVE));
}

/** The upper edge of a bucket, in ms (the label of its bar in the report). */
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
  private readonly lows = new Float64Array(BUCKETS).fill(Infinity);
  private readonly highs = new Float64Array(BUCKETS);
  count = 0;
  max = 0;
  private sum = 0;

  record(ms: number): void {
    const v = Math.max(0, ms);
    const b = bucketOf(v);
    this.counts[b]!++;
    if (v < this.lows[b]!) this.lows[b] = v;
    if (v > this.highs[b]!) this.highs[b] = v;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) {
      this.counts[i]! += other.counts[i]!;
      this.lows[i] = Math.min(this.lows[i]!, other.lows[i]!);
      this.highs[i] = Math.max(this.highs[i]!, other.highs[i]!);
    }
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
  }

  /**
   * The latency under which `q` (0..1) of the recorded values fall: in its bucket, the
   * value at its rank on a line from the bucket's least to its greatest value.
   */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const inBucket = this.counts[i]!;
      if (seen + inBucket >= rank) {
        const lo = this.lows[i]!;
        const hi = this.highs[i]!;
        return inBucket === 1 ? hi : lo + ((hi - lo) * (rank - seen - 1)) / (inBucket - 1);
      }
      seen += inBucket;
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
