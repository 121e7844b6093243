/** What a process-sqs run returns: its counts, every received message in exactly one outcome. */
import type { ReceiveLoop } from './receiveLoop.js';

export interface ProcessSqsResult {
  queue: string;
  /** The ledger's consumer the run processed for. */
  consumer: string;
  dlq?: string;
  handled: number;
  /** The schema applied (see SchemaCheck.applied). */
  schema: string;
  durationMs: number;
  messagesPerSecond: number;
  metrics: Record<string, number>;
  /** Why the first retried message was retried (a sink's or the ledger's error), if one was. */
  retryReason?: string;
  /** ReceiveMessage calls made. */
  receives: number;
}

/** The result of a run whose pollers have all returned. */
export function summarise(loop: ReceiveLoop, started: number): ProcessSqsResult {
  const { queue, pipeline, config, metrics } = loop.parts;
  const durationMs = performance.now() - started;
  return {
    queue: queue.name,
    consumer: config.consumer,
    dlq: pipeline.dlq?.name,
    handled: loop.handled,
    schema: pipeline.schema.applied,
    durationMs,
    messagesPerSecond: durationMs > 0 ? (loop.handled * 1000) / durationMs : 0,
    metrics: metrics.snapshot(),
    ...(loop.retryReason ? { retryReason: loop.retryReason } : {}),
    receives: loop.receives,
  };
}
