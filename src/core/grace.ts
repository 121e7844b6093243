/**
 * A stop with a grace period: a request already on the wire when Ctrl-C comes gets a moment
 * to bring its answer back, so what it did is known (sent, not "unconfirmed"); one that
 * hangs is cut when the grace runs out, so the command still ends promptly.
 */

/** How long requests in flight may finish after a stop: short enough that Ctrl-C still ends a command within a second. */
export const STOP_GRACE_MS = 750;

/** A signal that follows `signal` `graceMs` after it fires (undefined stays undefined). */
export function afterGrace(signal: AbortSignal | undefined, graceMs = STOP_GRACE_MS): AbortSignal | undefined {
  if (!signal) return undefined;
  const late = new AbortController();
  const fire = () => setTimeout(() => late.abort(signal.reason), graceMs).unref();
  if (signal.aborted) fire();
  else signal.addEventListener('abort', fire, { once: true });
  return late.signal;
}
