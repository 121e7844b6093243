/**
 * Where a message's time goes, from the pipeline's own stage timings (the hook tracing
 * reads too): waiting on the queue (sent to received), the ledger claim, the sinks, and the
 * delete (or the move to the DLQ). p50/p99 per stage, per interval and for the whole run.
 */
import type { PipelineObserver, SettledMessage, StageMark } from '../../core/tracing.js';
import { Histogram, type LatencySummary } from './histogram.js';

export const STAGES = ['queue', 'claim', 'sinks', 'delete'] as const;
export type Stage = (typeof STAGES)[number];
export type StageSummary = Record<Stage, { p50: number; p99: number; count: number }>;

const histograms = () => Object.fromEntries(STAGES.map((s) => [s, new Histogram()])) as Record<Stage, Histogram>;

/** Milliseconds of one stage of a settled message, or undefined when it did not go through it. */
export function stageTimes(m: SettledMessage): Partial<Record<Stage, number>> {
  const out: Partial<Record<Stage, number>> = {};
  const span = (marks: StageMark[]) =>
    marks.length ? Math.max(...marks.map((k) => k.end)) - Math.min(...marks.map((k) => k.start)) : undefined;
  const received = m.marks.find((k) => k.stage === 'receive');
  if (received && m.sentAtMs !== undefined) out.queue = Math.max(0, performance.timeOrigin + received.end - m.sentAtMs);
  const pick = (test: (stage: string) => boolean) => span(m.marks.filter((k) => test(k.stage)));
  const times: Partial<Record<Stage, number | undefined>> = {
    claim: pick((s) => s === 'claim'),
    sinks: pick((s) => s.startsWith('sink ')),
    delete: pick((s) => s === 'delete' || s === 'dlq'),
  };
  for (const [stage, ms] of Object.entries(times)) if (ms !== undefined) out[stage as Stage] = ms;
  return out;
}

export class StageTimes implements PipelineObserver {
  readonly total = histograms();
  interval = histograms();

  settled(messages: SettledMessage[]): void {
    for (const m of messages) {
      for (const [stage, ms] of Object.entries(stageTimes(m))) {
        this.total[stage as Stage].record(ms);
        this.interval[stage as Stage].record(ms);
      }
    }
  }

  /** This interval's summary, and a fresh interval. */
  takeInterval(): StageSummary {
    const out = summarize(this.interval);
    this.interval = histograms();
    return out;
  }

  summary(): StageSummary {
    return summarize(this.total);
  }
}

function summarize(h: Record<Stage, Histogram>): StageSummary {
  return Object.fromEntries(
    STAGES.map((s) => {
      const sum: LatencySummary = h[s].summary();
      return [s, { p50: sum.p50, p99: sum.p99, count: sum.count }];
    }),
  ) as StageSummary;
}
