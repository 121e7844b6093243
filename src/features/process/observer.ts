/**
 * What a process-sqs run tells an observer as it goes (live metrics, health): the run's
 * counters stay in `Metrics`; this adds what only the runner knows, read when asked.
 */

/** The live state of a connected run, read at each scrape. */
export interface RunState {
  queueName: string;
  queueUrl: string;
  /** Messages received and not yet acknowledged (deleted, sent to the DLQ, or released). */
  inFlight(): number;
  /** Ledger leases this worker holds now (keys claimed by its running batches). */
  leases(): number;
  /** Pollers the run has now (they change under `--concurrency auto`). */
  pollers?(): number;
  /** The age of the oldest message the run should stay under (`--target-age`, with `--concurrency auto`). */
  targetAgeSeconds?: number;
}

export interface ProcessObserver {
  /** The run is connected (queue, DLQ, ledger and sinks open) and about to receive. */
  started?(state: RunState): void;
  /** A batch was acknowledged: each of its `count` messages took `seconds` from receipt. */
  acknowledged?(count: number, seconds: number): void;
}
