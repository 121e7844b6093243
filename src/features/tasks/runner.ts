/**
 * Tasks as a sink (the seed's requests/rejects flow). Requests mode: every task runs for
 * every message in a bounded pool; a task that fails is retried alone (siblings that
 * succeeded are recorded in the ledger and never run again); a task that still fails
 * sends the message to the rejects queue with the failed task names and errors.
 * Rejects mode: only the failed tasks run again; if they still fail, the failure task
 * runs once (recorded, so a redelivery does not notify twice).
 */
import pLimit from 'p-limit';
import type { Ledger } from '../../aws/ledger.js';
import type { QueueRef, SqsQueues } from '../../aws/queue.js';
import { withStringAttribute, type AttributeValueLike } from '../../core/batching.js';
import { redact } from '../../core/redact.js';
import { writeEach, type HandleResult, type Sink, type SinkMessage, type SinkResult } from '../process/sinks/types.js';
import type { LoadedTask, TaskSet } from './load.js';

export const FAILED_TASKS_ATTRIBUTE = 'sqsops.failedTasks';
export const ERRORS_ATTRIBUTE = 'sqsops.errors';

export interface TaskSinkOptions {
  set: TaskSet;
  mode: 'requests' | 'rejects';
  /** Task runs at once, across the batch. @default 8 */
  poolSize?: number;
  /** Records per-task success; without it a retried message runs every task again. */
  ledger?: Ledger;
  /** The claim owner of this run (the ledger only accepts our own writes). */
  owner: string;
  /** Requests mode: where messages whose tasks still fail go. */
  rejects?: { queues: SqsQueues; queue: QueueRef };
  onTaskRun?: (task: string, message: SinkMessage, ok: boolean) => void;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 500);

export function createTaskSink(options: TaskSinkOptions): Sink {
  const limit = pLimit(options.poolSize ?? 8);
  const { set, ledger, owner } = options;

  /** Runs the tasks (once, then the failures alone once more); returns what still fails. */
  const runTasks = async (m: SinkMessage, tasks: LoadedTask[]) => {
    const failures = new Map<string, string>();
    const attempt = async (task: LoadedTask, n: number) => {
      try {
        await limit(() => task.run(m, { attempt: n }));
        options.onTaskRun?.(task.name, m, true);
        failures.delete(task.name);
        if (ledger) await ledger.markTaskDone(m.key, owner, task.name);
      } catch (e: unknown) {
        options.onTaskRun?.(task.name, m, false);
        failures.set(task.name, message(e));
      }
    };
    await Promise.all(tasks.map((t) => attempt(t, 1)));
    const again = tasks.filter((t) => failures.has(t.name));
    await Promise.all(again.map((t) => attempt(t, 2)));
    return [...failures.entries()].map(([task, error]) => ({ task, error }));
  };

  const toRejects = async (m: SinkMessage, failures: { task: string; error: string }[]): Promise<void> => {
    if (!options.rejects) throw new Error(`tasks failed (${failures.map((f) => f.task).join(', ')}) and no rejects queue is configured`);
    const { queues, queue } = options.rejects;
    const carried = Object.entries(m.attributes ?? {})
      .filter(([k]) => !k.startsWith('sqsops.'))
      .slice(0, 7);
    let attributes: Record<string, AttributeValueLike> = Object.fromEntries(
      carried.map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
    );
    // Ours are added most useful first, each shortened to keep the message within SQS's 1 MiB (core/batching).
    attributes = withStringAttribute(m.raw, attributes, 'sqsops.key', m.key);
    attributes = withStringAttribute(m.raw, attributes, FAILED_TASKS_ATTRIBUTE, failures.map((f) => f.task).join(','));
    attributes = withStringAttribute(m.raw, attributes, ERRORS_ATTRIBUTE, redact(JSON.stringify(failures)).slice(0, 4000));
    const out = await queues.sendBatch(queue.url, [
      {
        id: '0',
        body: m.raw,
        attributes: attributes as Record<string, { DataType: string }>,
        ...(queue.fifo ? { groupId: m.groupId ?? 'sqsops', deduplicationId: m.messageId } : {}),
      },
    ]);
    if (out.failed.length) throw new Error(`rejects queue refused the message: ${out.failed[0]!.code}`);
  };

  const handle = async (m: SinkMessage): Promise<HandleResult> => {
    const done = new Set(m.tasksDone ?? []);
    if (options.mode === 'requests') {
      const failures = await runTasks(
        m,
        set.tasks.filter((t) => !done.has(t.name)),
      );
      if (failures.length === 0) return;
      await toRejects(m, failures);
      // Parked safely in the rejects queue: handled, but not saved (the run counts it apart).
      return { rejected: `tasks failed: ${failures.map((f) => f.task).join(', ')}` };
    }
    const names = (m.attributes?.[FAILED_TASKS_ATTRIBUTE] ?? '').split(',').filter(Boolean);
    const tasks = names.length
      ? set.tasks.filter((t) => names.includes(t.name) && !done.has(t.name))
      : set.tasks.filter((t) => !done.has(t.name));
    const failures = await runTasks(m, tasks);
    if (failures.length === 0 || !set.failureTask) {
      if (failures.length)
        throw Object.assign(new Error(`tasks still fail (${failures.map((f) => f.task).join(', ')}) and there is no failure task`), {
          retryable: true,
        });
      return;
    }
    const marker = `failure:${set.failureTask.name}`;
    if (done.has(marker)) return;
    const failureTask = set.failureTask;
    await limit(() => failureTask.run(m, { attempt: 1, failures }));
    options.onTaskRun?.(failureTask.name, m, true);
    if (ledger) await ledger.markTaskDone(m.key, owner, marker);
  };

  return {
    name: options.mode === 'requests' ? 'tasks' : 'tasks:rejects',
    // A throw here means the message could not be parked in the rejects queue, or the
    // failure task failed: both are worth another try later (retryable).
    write: (batch): Promise<SinkResult> => writeEach(batch, handle),
    async close() {},
  };
}
