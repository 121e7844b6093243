import type { Ledger } from '../../aws/ledger.js';
import type { KeyFn } from '../../core/keys.js';
import type { Metrics } from '../../core/metrics.js';
import type { Sink } from '../../pipeline/sink.js';
import type { ActionLog } from './log.js';
import type { PayloadHook } from '../../pipeline/payloads.js';
import type { Validate } from '../../pipeline/schema.js';

export type Outcome =
  | { kind: 'saved'; key: string }
  | { kind: 'duplicate'; key: string }
  /** Handled by routing it to the rejects queue (its tasks failed): deleted, counted apart from saved. */
  | { kind: 'rejected'; key: string; reason: string }
  | { kind: 'poison'; reason: string; key?: string }
  | { kind: 'retry'; reason: string; key?: string }
  /** Claimed elsewhere; `ours` when by another poller of this same run (it will be back soon). */
  | { kind: 'inflight'; key: string; ours?: boolean }
  /** Not attempted: FIFO order after a failure in its group, or received as the run stopped. */
  | { kind: 'skipped'; reason: string };

export interface PipelineConfig {
  queueName: string;
  /** Whose ledger records these are: the queue's name unless named (see core/consumer.ts). */
  consumer: string;
  fifo: boolean;
  keyOf: KeyFn;
  /** Returns a reason when the body is invalid; the attributes say which template made it. */
  validate?: Validate;
  /** Undefined: no ledger (messages go straight to the sinks). */
  ledger?: Ledger;
  sinks: Sink[];
  /** Unique per process (and per run): claims are owner-checked with it. */
  owner: string;
  /** Lease of a claim; the heartbeat extends it. */
  leaseMs: number;
  /** How long ledger records are kept (DynamoDB TTL). */
  ttlSeconds: number;
  metrics: Metrics;
  log: ActionLog;
  /**
   * FIFO: treat the whole batch as one group, stopping at the first failure. Lambda's
   * partial-batch contract for FIFO queues asks for this. @default false
   */
  stopAtFirstFailure?: boolean;
  /** Large payloads: pointers are resolved before validation, objects deleted after success. */
  payloads?: PayloadHook;
}
