/**
 * The live view of `sqsops load`: a few lines redrawn in place each interval, only
 * when stderr is a terminal of some size (a log file or a 0-column pty gets nothing; --json has its own lines).
 * Every line is cut to the terminal's width, so a redraw never wraps and smears.
 */
import type { LoadSample } from '../../features/load/types.js';
import type { Output } from '../output.js';

const SPARKS = '▁▂▃▄▅▆▇█';

/** A sparkline of the last `width` values, scaled to their max. */
export function sparkline(values: number[], width = 30): string {
  const v = values.slice(-width);
  const max = Math.max(1, ...v);
  return v.map((x) => SPARKS[Math.min(SPARKS.length - 1, Math.floor((Math.max(0, x) / max) * (SPARKS.length - 1)))]).join('');
}

const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

export function viewLines(s: LoadSample, history: number[], header: string): string[] {
  const l = s.latency;
  return [
    `${header}  t=${Math.round(s.t / 1000)}s  ${s.phase === 'send' ? 'sending' : 'draining'}  workers running ${s.workersRunning}${s.paused ? ' (paused)' : ''}`,
    `rate     asked ${s.askedRate}/s  sent ${s.sentRate}/s  completed ${s.completedRate}/s  ${sparkline(history)}`,
    `latency  p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  max ${ms(l.max)}  (${l.count} this interval)`,
    `queue    visible ${s.visible}  in flight ${s.inFlight}  oldest waiting ${ms(s.oldestAgeMs)}`,
    `sent     ${s.sent} = processed ${s.processed} + in DLQ ${s.inDlq} + on the queue ${s.onQueue}${s.foreignReleased ? `  (foreign, released ${s.foreignReleased})` : ''}`,
  ];
}

export interface LiveView {
  update(s: LoadSample): void;
  stop(): void;
}

/** The view on stderr, through `out` (which redacts and knows whether stderr is a terminal to draw on). */
export function liveView(out: Output, header: string): LiveView | undefined {
  if (out.stderrColumns === undefined) return undefined;
  const history: number[] = [];
  let drawn = 0;
  return {
    update(s) {
      history.push(s.completedRate);
      const columns = out.stderrColumns;
      // Shrunk to nothing (a 0-column pty): drawn no more, and a later redraw starts afresh.
      if (columns === undefined) {
        drawn = 0;
        return;
      }
      const width = Math.max(20, columns - 1);
      const lines = viewLines(s, history, header).map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line));
      // Up to the first line drawn last time, then clear down: a redraw in place.
      if (out.redrawStderr(drawn, lines)) drawn = lines.length;
    },
    stop() {
      drawn = 0;
    },
  };
}
