/**
 * The send schedule of a load run: a steady rate (`500`), a ramp (`100..2000/60s`), or a
 * ramp cut into steps, and durations like `90s` or `5m`. Pure: parsed once, then asked
 * "how many messages should have been sent by now?", so a late tick catches up instead
 * of losing messages and the achieved rate can be held against the asked one.
 */
import { UsageError } from './errors.js';

export interface RateSchedule {
  /** Messages per second at the start. */
  from: number;
  /** Messages per second at the end of the ramp (equal to `from` for a steady rate). */
  to: number;
  /** Length of the ramp in milliseconds (0 for a steady rate). */
  rampMs: number;
  /** Cut the ramp into this many equal steps; 0 = a smooth ramp. */
  steps: number;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "90" (seconds), "90s", "5m", "1h", "500ms" to milliseconds. */
export function parseDuration(flag: string, raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(raw);
  const ms = m ? Number(m[1]) * UNITS[m[2] ?? 's']! : NaN;
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`${flag} must be a duration like 30s, 5m or 1h, not "${raw}"`);
  return Math.round(ms);
}

/** "500", or "100..2000/60s" (from 100 to 2000 msg/s over 60 s). */
export function parseRate(raw: string, steps = 0): RateSchedule {
  const hint = { hint: 'a steady rate is --rate 500; a ramp is --rate 100..2000/60s (from 100 to 2000 msg/s over 60 s)' };
  const steady = /^\s*(\d+(?:\.\d+)?)\s*$/.exec(raw);
  if (steady) {
    const r = Number(steady[1]);
    if (r <= 0) throw new UsageError(`--rate must be above 0, not "${raw}"`, hint);
    return { from: r, to: r, rampMs: 0, steps: 0 };
  }
  const ramp = /^\s*(\d+(?:\.\d+)?)\s*\.\.\s*(\d+(?:\.\d+)?)\s*\/\s*(\S+)\s*$/.exec(raw);
  if (!ramp) throw new UsageError(`--rate "${raw}" is not a rate`, hint);
  const from = Number(ramp[1]);
  const to = Number(ramp[2]);
  if (from <= 0 || to <= 0) throw new UsageError(`--rate must be above 0, not "${raw}"`, hint);
  return { from, to, rampMs: parseDuration('--rate (ramp time)', ramp[3]!), steps };
}

/** The asked rate at `ms` since the start (after the ramp: its end rate). */
export function rateAt(s: RateSchedule, ms: number): number {
  if (s.rampMs === 0 || ms >= s.rampMs) return s.to;
  const t = Math.max(0, ms) / s.rampMs;
  if (s.steps > 1) return s.from + ((s.to - s.from) * Math.floor(t * s.steps)) / (s.steps - 1);
  return s.from + (s.to - s.from) * t;
}

/** Messages the schedule asks for in the first `ms` milliseconds (the integral of the rate). */
export function dueBy(s: RateSchedule, ms: number): number {
  const t = Math.max(0, ms);
  if (s.rampMs === 0) return (s.to * t) / 1000;
  const inRamp = Math.min(t, s.rampMs);
  let ramp: number;
  if (s.steps > 1) {
    const stepMs = s.rampMs / s.steps;
    ramp = 0;
    for (let i = 0; i * stepMs < inRamp; i++) ramp += (rateAt(s, i * stepMs) * Math.min(stepMs, inRamp - i * stepMs)) / 1000;
  } else {
    ramp = (s.from * inRamp + ((s.to - s.from) * inRamp * inRamp) / (2 * s.rampMs)) / 1000;
  }
  return ramp + (s.to * Math.max(0, t - s.rampMs)) / 1000;
}

/** How a schedule reads in a summary: "500 msg/s" or "100..2000 msg/s over 60 s (5 steps)". */
export function describeRate(s: RateSchedule): string {
  if (s.rampMs === 0) return `${s.to} msg/s`;
  return `${s.from}..${s.to} msg/s over ${s.rampMs / 1000} s${s.steps > 1 ? ` (${s.steps} steps)` : ''}`;
}
