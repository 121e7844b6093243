/**
 * The import check: every message of a `--from-file` run is held against SQS's rules
 * (core/messageRules.ts) before anything is sent or created, as it would be sent (after
 * its FIFO ids are chosen, and as a pointer when its body goes to S3). One bad record
 * stops the run with its place and the rule it breaks: a file goes whole or not at all.
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { messageBytes } from '../../core/batching.js';
import { UsageError } from '../../core/errors.js';
import { fifoIds } from '../../core/fifoIds.js';
import { attributesProblem, bodyProblem, fifoIdProblem, sizeProblem } from '../../core/messageRules.js';
import { isLarge, pointerMessage } from '../../core/payloadPointer.js';

export interface CheckedInput {
  body: string;
  source: string;
  attributes?: Record<string, MessageAttributeValue>;
  groupId?: string;
  deduplicationId?: string;
}

export interface ImportCheckOptions {
  fifo: boolean;
  /** The destination's cap on body plus attributes. */
  maxBytes: number;
  /** The cap in words, for the message ("SQS's 1 MiB"). */
  limit: string;
  groupBy?: string | undefined;
  /** As produce chooses ids; before the queue is open "hash" stands for "content": both always give a valid id. */
  dedupMode: string;
  /** Large bodies go to S3: the size rule applies to the pointer message. */
  largePayload?: { bucket: string; threshold: number } | undefined;
}

/** An S3 key as the payload store makes them (a UUID): the pointer's size does not depend on which. */
const SAMPLE_KEY = '00000000-0000-0000-0000-000000000000';

/** A queue or topic (name, URL or ARN) is FIFO exactly when its name ends in .fifo: SQS and SNS require it. */
export function isFifoTarget(nameUrlOrArn: string): boolean {
  return nameUrlOrArn.replace(/\/+$/, '').endsWith('.fifo');
}

interface Problem {
  rule: string;
  tooBig?: boolean;
}

function problemOf(input: CheckedInput, options: ImportCheckOptions): Problem | undefined {
  const lp = options.largePayload;
  const offloaded = lp !== undefined && isLarge(messageBytes(input.body, input.attributes), lp.threshold);
  const sent = offloaded ? pointerMessage(lp.bucket, SAMPLE_KEY, input) : input;
  const content = bodyProblem(input.body, { offloaded }) ?? attributesProblem(sent.attributes);
  if (content) return { rule: content };
  const size = sizeProblem(sent.body, sent.attributes, { maxBytes: options.maxBytes, limit: options.limit });
  if (size) return { rule: size, tooBig: !lp };
  if (!options.fifo) return undefined;
  const ids = fifoIds(input, { groupBy: options.groupBy, dedupMode: options.dedupMode });
  const fifo = fifoIdProblem('group id', ids.groupId) ?? fifoIdProblem('deduplication id', ids.deduplicationId);
  return fifo ? { rule: fifo } : undefined;
}

/** Throws a UsageError naming the first input SQS would refuse, and how many more there are. */
export function checkInputs(inputs: readonly CheckedInput[], options: ImportCheckOptions): void {
  let first: { source: string; problem: Problem } | undefined;
  let more = 0;
  for (const input of inputs) {
    const problem = problemOf(input, options);
    if (!problem) continue;
    if (first) more++;
    else first = { source: input.source, problem };
  }
  if (!first) return;
  const others = more > 0 ? ` (and ${more} more ${more === 1 ? 'record' : 'records'})` : '';
  throw new UsageError(`${first.source}: ${first.problem.rule}${others}`, {
    hint: first.problem.tooBig
      ? 'pass --large-payload-bucket BUCKET to store large bodies in S3 and send a pointer; nothing was sent'
      : 'fix or remove that record and run again; nothing was sent',
  });
}
