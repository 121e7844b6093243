/**
 * How a process-sqs run stops: the signal, `count`, an error, or a drained queue stop receiving
 * at once, and in-flight work still finishes. Receives are cut only after a grace: a receive the
 * server already answered would leave its messages hidden for a whole visibility timeout if we
 * cut it, so running receives get a moment to return (what they bring is processed), and only
 * the ones still long-polling an empty queue are cut.
 */
import type { DrainPace } from '../../core/drain.js';

/** How long receives still running at a stop may return before they are cut. */
const RECEIVE_GRACE_MS = 2000;

export class RunStop {
  private done = false;
  /** Aborts the receives (only them: deletes and heartbeats are not tied to the stop). */
  readonly receives = new AbortController();

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly pace: DrainPace | undefined,
  ) {}

  get stopped(): boolean {
    return this.done;
  }

  /** Stops receiving; in-flight work still finishes. */
  readonly stop = (): void => {
    this.done = true;
    this.pace?.stop();
  };

  /** Cuts the receives still running, after the grace. */
  readonly cutReceives = (): void => {
    setTimeout(() => this.receives.abort(), RECEIVE_GRACE_MS).unref();
  };

  /** Stops and cuts the receives: the run's own reasons (count, an error, a drained queue). */
  readonly stopAndCut = (): void => {
    this.stop();
    this.cutReceives();
  };

  /** Hears the run's signal, until `unlisten`. */
  listen(): void {
    this.signal?.addEventListener('abort', this.stop, { once: true });
    if (this.signal?.aborted) this.receives.abort();
    else this.signal?.addEventListener('abort', this.cutReceives, { once: true });
  }

  unlisten(): void {
    this.signal?.removeEventListener('abort', this.stop);
    this.signal?.removeEventListener('abort', this.cutReceives);
  }
}
