/**
 * The pipeline's side of the timing hook: process-sqs and the Lambda start timing the
 * messages of a batch only when an observer listens, and hand them over once settled,
 * with their outcome and the counters they added to.
 */
import { TRACEPARENT, type PipelineObserver, type SettledMessage } from '../../core/tracing.js';
import { OUTCOME_COUNTER } from './processBatch.js';
import type { InboundMessage } from '../../pipeline/inbound.js';
import { envelopeAttributes } from '../../pipeline/intake.js';
import type { Outcome } from './types.js';

/** Starts timing a batch (its first mark: the receive that brought it), if someone observes. */
export function startTiming(batch: InboundMessage[], observer: PipelineObserver | undefined, received?: { start: number }): void {
  if (!observer) return;
  const end = performance.now();
  for (const m of batch) m.marks = received ? [{ stage: 'receive', start: received.start, end }] : [];
}

/** A subscription without raw delivery carries the attributes inside the SNS envelope. */
function attributesOf(m: InboundMessage): Record<string, string> {
  if (m.attributes[TRACEPARENT] || !m.body.startsWith('{')) return m.attributes;
  return envelopeAttributes(m);
}

/** Hands a settled batch to the observer, each message with its outcome and counters. */
export function settle(batch: InboundMessage[], outcomes: Outcome[], queue: string, observer: PipelineObserver | undefined): void {
  if (!observer) return;
  const settled = batch.map((m, i): SettledMessage => {
    const kind = outcomes[i]?.kind ?? 'skipped';
    const marks = m.marks ?? [];
    const counters = ['MessagesReceived', OUTCOME_COUNTER[kind], ...marks.flatMap((k) => (k.counter ? [k.counter] : []))];
    const s: SettledMessage = { messageId: m.messageId, queue, attributes: attributesOf(m), outcome: kind, counters, marks };
    if (m.awsTraceHeader) s.awsTraceHeader = m.awsTraceHeader;
    if (m.sentAt) s.sentAtMs = Date.parse(m.sentAt);
    return s;
  });
  observer.settled(settled);
}
