/**
 * A load run's samples: one per interval (and one at the end), each handed to onSample as it
 * is taken. Queue depth comes from GetQueueAttributes; everything else from the run's tally.
 */
import type { SqsQueues } from '../../aws/queue.js';
import { Histogram } from './histogram.js';
import type { Run } from './load.js';
import { rateAt } from '../../core/rateSchedule.js';
import type { LoadSample } from './types.js';

async function depthOf(queues: SqsQueues, url: string): Promise<{ visible: number; inFlight: number }> {
  try {
    const a = await queues.attributes(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
    return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) };
  } catch {
    // A missed sample is a gap in the chart, not a failed run.
    return { visible: -1, inFlight: -1 };
  }
}

/** One sample per interval (and one at the end), each handed to onSample as it is taken. */
export function startSampling(run: Run, sampler: SqsQueues) {
  const { options, tally, pool, state } = run;
  const taken: LoadSample[] = [];
  let last = { t: 0, sent: 0, completed: 0 };
  const take = async () => {
    const t = Date.now() - state.started;
    // Read with t, before the depth call: a pause that starts during it belongs to the next sample.
    const workersRunning = pool.running;
    tally.expireEarly();
    const depth = await depthOf(sampler, run.target.queue.url);
    const { sent, completed } = tally;
    const secs = Math.max(0.001, (t - last.t) / 1000);
    // Paused for any part of (last.t, t]: the same window the report shades.
    const paused = state.pausedAt !== undefined && state.pausedAt < t && (state.resumedAt === undefined || state.resumedAt > last.t);
    const sample: LoadSample = {
      t,
      phase: state.phase,
      askedRate: state.phase === 'send' ? Math.round(rateAt(options.rate, t)) : 0,
      sentRate: Math.round((sent - last.sent) / secs),
      completedRate: Math.round((completed - last.completed) / secs),
      latency: tally.interval.summary(),
      stages: tally.stages.takeInterval(),
      visible: depth.visible,
      inFlight: depth.inFlight,
      oldestAgeMs: tally.oldestAgeMs(),
      workersRunning,
      paused,
      sent,
      completed,
      processed: tally.processed,
      inDlq: tally.toDlq,
      onQueue: tally.waiting.size,
      foreignReleased: tally.foreign.size,
    };
    tally.interval = new Histogram();
    last = { t, sent, completed };
    taken.push(sample);
    options.onSample?.(sample);
  };
  let sampling = Promise.resolve();
  const ticker = setInterval(() => {
    sampling = sampling.then(take);
  }, options.intervalMs ?? 1000);
  return {
    taken,
    stop: () => clearInterval(ticker),
    /** After the stop: waits for a sample being taken, then takes the last one. */
    last: async () => {
      await sampling;
      await take();
    },
  };
}
