/**
 * Where a download waits for its turn: one global pool and, with a per-host cap, one pool per
 * host in front of it. Items are started a few at a time by the launcher (see launcher.ts).
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { createLauncher, type Launcher } from './launcher.js';

export interface Slots {
  /** Runs `fn` once its host (if capped) and the run have a free slot. */
  slot<T>(url: string, fn: () => Promise<T>): Promise<T>;
  launcher: Launcher;
}

export function createSlots(concurrency: number, perHost = 0): Slots {
  const global = pLimit(concurrency);
  // Twice the slots: a freed slot always finds an item ready for it.
  const launcher = createLauncher(2 * concurrency);
  const hosts = new Map<string, LimitFunction>();
  const hostLimit = (url: string): LimitFunction => {
    const host = new URL(url).host;
    let limit = hosts.get(host);
    if (!limit) {
      limit = pLimit(perHost);
      hosts.set(host, limit);
    }
    return limit;
  };
  const slot = <T>(url: string, fn: () => Promise<T>): Promise<T> => {
    if (!perHost) return global(fn);
    const limit = hostLimit(url);
    // Host slot first: an item waiting on its host does not sit on a global slot, and steps aside for items of other hosts.
    launcher.park();
    return limit(() => {
      launcher.unpark();
      return global(fn);
    });
  };
  return { slot, launcher };
}
