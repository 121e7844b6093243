/**
 * Counters with the pipeline's metric names, and their CloudWatch Embedded Metric Format.
 * A registry of plain numbers: the pipeline counts, the CLI and Lambda decide how to show them.
 */

export const COUNTERS = [
  'MessagesReceived',
  'MessagesSaved',
  'DuplicateMessages',
  'InvalidMessages',
  'MessagesRetried',
  'MessagesDeferred',
  'MessagesToRejects',
  'MessagesDeleted',
  'MessagesToDLQ',
  'PayloadMismatch',
  'LeaseLost',
  'DynamoDBCheckError',
  'DynamoDBSaveError',
  'SQSDeleteError',
  'SQSDLQSendError',
] as const;
export type CounterName = (typeof COUNTERS)[number] | `SinkError.${string}`;

export class Metrics {
  private readonly values = new Map<CounterName, number>();

  inc(name: CounterName, by = 1): void {
    if (by !== 0) this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  get(name: CounterName): number {
    return this.values.get(name) ?? 0;
  }

  /** Every counter, the known ones first (zero included), then per-sink errors. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of COUNTERS) out[c] = this.get(c);
    for (const [k, v] of this.values) if (!(k in out)) out[k] = v;
    return out;
  }

  /** Counts since `previous` (for per-interval EMF lines). */
  since(previous: Record<string, number>): Record<string, number> {
    const now = this.snapshot();
    return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - (previous[k] ?? 0)]));
  }
}

/**
 * The outcomes a received message can have: each lands in exactly one, so
 * MessagesReceived is their sum (the summary and the tests check this identity).
 */
export const OUTCOME_COUNTERS = [
  ['MessagesSaved', 'saved'],
  ['DuplicateMessages', 'duplicates'],
  ['InvalidMessages', 'invalid'],
  ['MessagesRetried', 'retried'],
  ['MessagesDeferred', 'deferred'],
  ['MessagesToRejects', 'to rejects'],
] as const;

/**
 * The counters a summary shows even at zero: what was received, its outcomes and the deletes.
 * The rejects outcome only exists with tasks: shown when it happened, like any other counter.
 */
export const SUMMARY_COUNTERS: readonly string[] = [
  'MessagesReceived',
  ...OUTCOME_COUNTERS.map(([name]) => name).filter((name) => name !== 'MessagesToRejects'),
  'MessagesDeleted',
];

/** How the received count splits into outcomes, and whether the split adds up. */
export function outcomeIdentity(values: Record<string, number>): { holds: boolean; line: string } {
  const received = values.MessagesReceived ?? 0;
  // The rejects outcome only exists with tasks: shown when it happened.
  const parts = OUTCOME_COUNTERS.filter(([name]) => name !== 'MessagesToRejects' || (values[name] ?? 0) > 0);
  const sum = OUTCOME_COUNTERS.reduce((n, [name]) => n + (values[name] ?? 0), 0);
  const line = `received ${received} = ${parts.map(([name, label]) => `${label} ${values[name] ?? 0}`).join(' + ')}`;
  return { holds: sum === received, line: sum === received ? line : `${line} (outcomes add up to ${sum}: please report)` };
}

/** One EMF document: CloudWatch turns it into metrics when it is logged. */
export function emfLine(
  values: Record<string, number>,
  dimensions: Record<string, string>,
  namespace = 'sqsops',
  now = Date.now(),
): string {
  const names = Object.keys(values);
  return JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: names.map((Name) => ({ Name, Unit: 'Count' })) },
      ],
    },
    ...dimensions,
    ...values,
  });
}
