/**
 * Drawing on a terminal: whether a stream is one we may draw on, and the spinner. A pty can
 * report a size of 0 × 0 (`script`, some CI runners, `docker exec -t` before a resize); ora and
 * log-update divide by the width, and at 0 a spinner erases "Infinity" lines in a synchronous
 * loop that never yields, so not even SIGINT gets through. Such a terminal is treated as a pipe.
 */
import type { Writable } from 'node:stream';

export type Stream = Writable & { isTTY?: boolean; columns?: number; rows?: number };

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

export const NO_SPINNER: Spinner = { update() {}, succeed() {}, fail() {}, stop() {} };

/** A terminal whose size is known and not zero; anything else gets plain lines, as a pipe does. */
export function drawable(stream: Stream): boolean {
  return stream.isTTY === true && (stream.columns ?? 0) > 0 && (stream.rows ?? 0) > 0;
}

/**
 * An ora spinner on `stream`, whose text is already safe to show. It stops for good if the
 * terminal is resized to nothing: a redraw at width 0 would never end.
 */
export async function startSpinner(stream: Stream, text: string): Promise<Spinner> {
  if (!drawable(stream)) return NO_SPINNER;
  const { default: ora } = await import('ora');
  // discardStdin off: ora's raw mode swallowed Ctrl-C (the terminal sent no SIGINT and ora never read the byte).
  const s = ora({ text, stream: stream as NodeJS.WriteStream, color: 'cyan', discardStdin: false }).start();
  let ended = false;
  const end = (finish: () => void) => {
    if (ended) return;
    ended = true;
    stream.off('resize', onResize);
    finish();
  };
  // 'resize' comes with the new size, before the spinner's next frame could draw at width 0.
  const onResize = () => {
    if (!drawable(stream)) end(() => s.stop());
  };
  stream.on('resize', onResize);
  return {
    update: (t) => {
      if (!ended) s.text = t;
    },
    succeed: (t) => end(() => s.succeed(t)),
    fail: (t) => end(() => s.fail(t)),
    stop: () => end(() => s.stop()),
  };
}
