/**
 * Tasks: user code run for every message (open a ticket, post to a chat, call an API).
 * A task module exports one task (default export or `task`); `defineTask` only types it.
 *
 *   import { defineTask } from 'sqsops';
 *   export default defineTask({ name: 'audit', async run(message, ctx) { ... } });
 */
import type { SinkMessage } from '../../pipeline/sink.js';

export interface TaskContext {
  /** 1 on the first try, 2 on the retry of a failed task. */
  attempt: number;
  /** Set for the failure task: what failed, per task. */
  failures?: { task: string; error: string }[];
  signal?: AbortSignal;
}

export interface Task {
  /** Unique in its folder; recorded in the ledger when the task has run for a message. */
  name: string;
  run(message: SinkMessage, context: TaskContext): Promise<void> | void;
  /**
   * The failure task: not run for every message,
   * but once for a message whose tasks still fail when it is retried from the rejects queue.
   */
  failure?: boolean;
}

/** Types a task (and checks its shape at run time). */
export function defineTask<T extends Task>(task: T): T {
  return task;
}
