/**
 * When a run that empties a queue (process-sqs --drain, move, redrive-dlq, consume) is done,
 * and how its pollers wait. The long poll is for waiting for work: a run that has taken
 * nothing yet long-polls, one poller at a time. Once messages flow, receives are short, and
 * an empty one asks the queue's own counters: nothing visible, nothing delayed and every
 * hidden message one this run holds means drained, at once. Otherwise (delayed messages,
 * messages another consumer holds, counters that lag) one poller long-polls again, and a
 * whole empty wait ends the run, as it always did: the tail is one wait at most.
 */

/** A queue's approximate counters (GetQueueAttributes). */
export interface QueueCounters {
  visible: number;
  delayed: number;
  /** In flight: received and not yet deleted or visible again, by anyone. */
  notVisible: number;
}

/** Nothing visible or delayed, and no hidden message but the `ours` this run holds: nothing more can come. */
export function drained(c: QueueCounters, ours: number): boolean {
  return c.visible === 0 && c.delayed === 0 && c.notVisible <= ours;
}

/** How the next receive waits: `long` (the run's --wait), `short` (0 s), or `stop` (the run is done). */
export type Turn = 'long' | 'short' | 'stop';

/** Paces the receives of a run's pollers (see the file comment). No I/O: the caller receives and reads counters. */
export class DrainPace {
  private flowing = false;
  private longBusy = false;
  private done = false;
  /** Pollers waiting for their turn: any change may be it. */
  private turnWaiters: (() => void)[] = [];
  /** Pollers waiting for what the run holds to settle: only a settle (or the stop) is news. */
  private settleWaiters: (() => void)[] = [];

  /** The run is done: every poller's next turn is `stop`. */
  get stopped(): boolean {
    return this.done;
  }

  /** Waits for this poller's turn: one long poll at a time while nothing flows, short receives while messages do. */
  async turn(): Promise<Turn> {
    for (;;) {
      if (this.done) return 'stop';
      if (this.flowing) return 'short';
      if (!this.longBusy) {
        this.longBusy = true;
        return 'long';
      }
      await this.wait(this.turnWaiters, 1000);
    }
  }

  /** A receive of kind `turn` came back with `fresh` new messages. */
  received(turn: Turn, fresh: number): void {
    if (turn === 'long') this.longBusy = false;
    if (fresh > 0) this.flowing = true;
    this.release(this.turnWaiters);
  }

  /** An empty short receive and counters that say more may come: wait for it with a long poll. */
  expect(): void {
    this.flowing = false;
    this.release(this.turnWaiters);
  }

  stop(): void {
    this.done = true;
    this.release(this.turnWaiters);
    this.release(this.settleWaiters);
  }

  /** Something this run holds settled (a batch acknowledged): pollers waiting on it look again. */
  wake(): void {
    this.release(this.turnWaiters);
    this.release(this.settleWaiters);
  }

  /** Resolves when something this run holds settles (or the run stops), after `ms` at the latest. */
  settled(ms = 1000): Promise<void> {
    return this.wait(this.settleWaiters, ms);
  }

  private release(list: (() => void)[]): void {
    for (const w of list.splice(0)) w();
  }

  private wait(list: (() => void)[], ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
