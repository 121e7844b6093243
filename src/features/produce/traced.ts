/**
 * produce's side of tracing: one producer span per message, its W3C context sent as the
 * `traceparent` (and `tracestate`) message attributes, which SNS and SQS carry as they are.
 * An imported message that already carries a context continues that trace.
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { TRACEPARENT, TRACESTATE, type ProducerSpan, type Tracing } from '../../core/tracing.js';

/** SQS and SNS take at most 10 message attributes: a message that has no room goes untraced. */
const MAX_ATTRIBUTES = 10;

type Attributes = Record<string, MessageAttributeValue>;

/** Starts the message's span and returns its attributes with the trace context (unchanged when off). */
export function traceEntry(
  tracing: Tracing | undefined,
  destination: string,
  attributes: Attributes | undefined,
): { span?: ProducerSpan; attributes: Attributes | undefined } {
  if (!tracing?.on) return { attributes };
  const own = Object.fromEntries(
    Object.entries(attributes ?? {}).filter(([name]) => name !== TRACEPARENT && name !== TRACESTATE),
  ) as Attributes;
  const parent: Record<string, string> = {};
  for (const name of [TRACEPARENT, TRACESTATE]) {
    const value = attributes?.[name]?.StringValue;
    if (value) parent[name] = value;
  }
  const span = tracing.produce(destination, parent);
  const context = Object.entries(span.carrier);
  if (Object.keys(own).length + context.length > MAX_ATTRIBUTES) {
    span.end();
    return { attributes };
  }
  for (const [name, value] of context) own[name] = { DataType: 'String', StringValue: value };
  return { span, attributes: own };
}
