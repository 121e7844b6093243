/**
 * A sink for pipeline tests: `handle` runs for each message of a batch (a throw is that
 * message's failure, retryable unless the error says `retryable: false`), so a test can see
 * what reached the sinks, or fail on purpose. Built on writeEach, the sinks' own per-message rule.
 */
import { writeEach, type Sink, type SinkMessage, type SinkResult } from '../../src/pipeline/sink.js';

export function spySink(name: string, handle: (message: SinkMessage) => Promise<void> | void): Sink {
  return {
    name,
    write: (batch): Promise<SinkResult> =>
      writeEach(batch, async (m) => {
        await handle(m);
      }),
    async close() {},
  };
}
