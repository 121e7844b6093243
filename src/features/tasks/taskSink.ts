/**
 * Tasks as a sink: every task runs for every message in a bounded pool. One set of rules,
 * whichever flag (--handler or --handlers) brought the task:
 * - a task that succeeds is recorded in the ledger, so a redelivery runs only what failed;
 * - a task that fails is retried once alone (siblings that succeeded are not run again),
 *   unless its error says `retryable: false` (it never can succeed);
 * - if it still fails: with a rejects queue (requests mode) the message is parked there with
 *   the failed task names and errors; without one, the message fails like any sink write:
 *   retryable (SQS redelivers it, then the DLQ after maxReceiveCount) unless every failing
 *   task's error says `retryable: false`, which makes it poison (straight to the DLQ).
 * Rejects mode (consuming the rejects queue): only the failed tasks run again; if they still
 * fail, the failure task runs once (recorded, so a redelivery does not notify twice).
 */
import pLimit from 'p-limit';
import type { Ledger } from '../../aws/ledger.js';
import type { QueueRef, SqsQueues } from '../../aws/queue.js';
import { redact } from '../../core/redact.js';
import { forward, type Note } from '../../pipeline/forward.js';
import { sendAll } from '../../pipeline/send.js';
import { writeEach, type HandleResult, type Sink, type SinkMessage, type SinkResult } from '../../pipeline/sink.js';
import type { LoadedTask, TaskSet } from './modules.js';

export const FAILED_TASKS_ATTRIBUTE = 'sqsops.failedTasks';
export const ERRORS_ATTRIBUTE = 'sqsops.errors';

export interface TaskSinkOptions {
  /** The tasks to run (a set's custom sinks are wired apart, beside the built-in sinks). */
  set: Pick<TaskSet, 'tasks' | 'failureTask'>;
  mode: 'requests' | 'rejects';
  /** Task runs at once, across the batch. @default 8 */
  poolSize?: number;
  /** Records per-task success; without it a retried message runs every task again. */
  ledger?: Ledger;
  /** The claim owner of this run (the ledger only accepts our own writes). */
  owner: string;
  /** Requests mode: where messages whose tasks still fail go; without it they fail (retry or DLQ). */
  rejects?: { queues: SqsQueues; queue: QueueRef };
  onTaskRun?: (task: string, message: SinkMessage, ok: boolean) => void;
}

/** The message's ledger record: its consumer's (the pipeline sets it; by default, its queue's). */
const ledgerRef = (m: SinkMessage) => ({ consumer: m.consumer ?? m.queue, key: m.key });
const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 500);
/** Only an error that says so is permanent: anything else may pass on a later try. */
const isRetryable = (e: unknown) => (e as { retryable?: unknown } | undefined)?.retryable !== false;

interface TaskFailure {
  task: string;
  error: string;
  retryable: boolean;
}

/** What the rejects queue's attribute and the failure task see: each task's name and error. */
const plain = (failures: TaskFailure[]) => failures.map(({ task, error }) => ({ task, error }));

/** The message's failure when there is no rejects queue: poison only if no failing task may pass later. */
function taskFailure(failures: TaskFailure[], what = 'failed'): Error {
  const detail = failures.map((f) => `${f.task} ${what}: ${f.error}`).join('; ');
  return Object.assign(new Error(detail), { retryable: failures.some((f) => f.retryable) });
}

/** Parks a message whose tasks still fail in the rejects queue, with the failed tasks' names and errors. */
async function toRejects(m: SinkMessage, failures: TaskFailure[], rejects: NonNullable<TaskSinkOptions['rejects']>): Promise<void> {
  const { queues, queue } = rejects;
  const carried = Object.entries(m.attributes ?? {})
    .filter(([k]) => !k.startsWith('sqsops.'))
    .slice(0, 7);
  const attributes = Object.fromEntries(carried.map(([k, v]) => [k, { DataType: 'String', StringValue: v }]));
  // Ours are added most useful first, each shortened to keep the message within SQS's 1 MiB (core/batching).
  const notes: Note[] = [
    ['sqsops.key', m.key],
    [FAILED_TASKS_ATTRIBUTE, failures.map((f) => f.task).join(',')],
    [ERRORS_ATTRIBUTE, redact(JSON.stringify(plain(failures))).slice(0, 4000)],
  ];
  const entry = forward(queue, { messageId: m.messageId, body: m.raw, attributes, groupId: m.groupId }, 0, notes);
  let refused: string | undefined;
  const { error } = await sendAll(
    (batch) => queues.sendBatch(queue.url, batch),
    [entry],
    {
      failed: (_e, code) => {
        refused ??= code;
      },
    },
    { keepGroupOrder: false },
  );
  if (error !== undefined) throw error;
  if (refused) throw new Error(`rejects queue refused the message: ${refused}`);
}

export function createTaskSink(options: TaskSinkOptions): Sink {
  const limit = pLimit(options.poolSize ?? 8);
  const { set, ledger, owner } = options;

  /** Runs the tasks (once, then the retryable failures alone once more); returns what still fails. */
  const runTasks = async (m: SinkMessage, tasks: LoadedTask[]): Promise<TaskFailure[]> => {
    const failures = new Map<string, TaskFailure>();
    const attempt = async (task: LoadedTask, n: number) => {
      try {
        await limit(() => task.run(m, { attempt: n }));
        options.onTaskRun?.(task.name, m, true);
        failures.delete(task.name);
        if (ledger) await ledger.markTaskDone(ledgerRef(m), owner, task.name);
      } catch (e: unknown) {
        options.onTaskRun?.(task.name, m, false);
        failures.set(task.name, { task: task.name, error: message(e), retryable: isRetryable(e) });
      }
    };
    await Promise.all(tasks.map((t) => attempt(t, 1)));
    const again = tasks.filter((t) => failures.get(t.name)?.retryable);
    await Promise.all(again.map((t) => attempt(t, 2)));
    return [...failures.values()];
  };

  const handle = async (m: SinkMessage): Promise<HandleResult> => {
    const done = new Set(m.tasksDone ?? []);
    if (options.mode === 'requests') {
      const failures = await runTasks(
        m,
        set.tasks.filter((t) => !done.has(t.name)),
      );
      if (failures.length === 0) return;
      if (!options.rejects) throw taskFailure(failures);
      await toRejects(m, failures, options.rejects);
      // Parked safely in the rejects queue: handled, but not saved (the run counts it apart).
      return { rejected: `tasks failed: ${failures.map((f) => f.task).join(', ')}` };
    }
    const names = (m.attributes?.[FAILED_TASKS_ATTRIBUTE] ?? '').split(',').filter(Boolean);
    const tasks = names.length
      ? set.tasks.filter((t) => names.includes(t.name) && !done.has(t.name))
      : set.tasks.filter((t) => !done.has(t.name));
    const failures = await runTasks(m, tasks);
    if (failures.length === 0) return;
    if (!set.failureTask) throw taskFailure(failures, 'still fails (no failure task)');
    const marker = `failure:${set.failureTask.name}`;
    if (done.has(marker)) return;
    const failureTask = set.failureTask;
    await limit(() => failureTask.run(m, { attempt: 1, failures: plain(failures) }));
    options.onTaskRun?.(failureTask.name, m, true);
    if (ledger) await ledger.markTaskDone(ledgerRef(m), owner, marker);
  };

  return {
    name: options.mode === 'requests' ? 'tasks' : 'tasks:rejects',
    // A throw here is the message's failure: its tasks failed with no rejects queue (see
    // taskFailure), it could not be parked in the rejects queue, or the failure task failed.
    write: (batch): Promise<SinkResult> => writeEach(batch, handle),
    async close() {},
  };
}
