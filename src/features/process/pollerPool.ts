/**
 * The pollers of one run, resizable while it goes (`--concurrency auto`): a new poller starts
 * at once; a removed one leaves at the top of its loop, after what it holds is acknowledged,
 * so shrinking never cuts a batch.
 */

/** Starts one poller; it calls `leave()` before each receive and returns when that says true. */
export type StartPoller = (leave: () => boolean) => Promise<void>;

export class PollerPool {
  private wanted = 0;
  private running = 0;
  private readonly all: Promise<void>[] = [];

  constructor(private readonly start: StartPoller) {}

  /** Pollers asked for (a removed one may still be finishing its batch). */
  get size(): number {
    return this.wanted;
  }

  resize(pollers: number): void {
    this.wanted = pollers;
    while (this.running < this.wanted) this.spawn();
  }

  /** Every poller ever started has returned (those started while waiting included). */
  async settled(): Promise<void> {
    for (let i = 0; i < this.all.length; i++) await this.all[i];
  }

  private spawn(): void {
    let left = false;
    this.running++;
    // The first pollers to look while the pool is over its size leave, one each.
    const leave = () => {
      if (!left && this.running > this.wanted) {
        left = true;
        this.running--;
      }
      return left;
    };
    this.all.push(
      this.start(leave).finally(() => {
        if (!left) this.running--;
      }),
    );
  }
}
