/**
 * Your code in the pipeline: a task set loaded once (with the built-in webhook failure task when
 * asked for), and run as sinks: its custom sinks as they are, its tasks as one task sink that
 * records finished tasks in the ledger as the run's owner.
 */
import type { AwsClients } from '../../aws/clients.js';
import { UsageError } from '../../core/errors.js';
import { openLedger, openQueue, sqsQueues, type Notify } from '../../pipeline/resources.js';
import type { Sink } from '../../pipeline/sink.js';
import type { TaskSet } from '../tasks/modules.js';
import type { TaskSinkOptions } from '../tasks/taskSink.js';
import type { TaskConfig } from './config.js';

export async function loadTaskSet(tasks: TaskConfig, env: NodeJS.ProcessEnv): Promise<TaskSet> {
  const { loadTasks } = await import('../tasks/modules.js');
  if (tasks.failureTask !== 'webhook') return loadTasks(tasks.handlers, tasks.failureTask ? { failureTask: tasks.failureTask } : {});
  const { webhookTask, WEBHOOK_ENV } = await import('../tasks/webhook.js');
  const url = env[WEBHOOK_ENV];
  if (!url) {
    const hint = `export ${WEBHOOK_ENV}=<your incoming-webhook URL> (it is never printed)`;
    throw new UsageError(`--failure-task webhook needs ${WEBHOOK_ENV}`, { hint });
  }
  const set = await loadTasks(tasks.handlers);
  const all = set.failureTask ? [...set.tasks, set.failureTask] : set.tasks;
  return { tasks: all, sinks: set.sinks, failureTask: { ...webhookTask(url), file: '(built-in)' } };
}

/** How a loaded set runs: the ledger that records done tasks, and where failures go. */
export interface PluginWiring {
  owner: string;
  ledgerTable: string | false;
  /** @default 8 */
  poolSize?: number;
  /** Requests mode: where messages whose tasks still fail go; unset, they fail (retry or DLQ). */
  rejectsQueue?: string;
  /** Consume the rejects queue: retry the failed tasks, then the failure task. */
  rejects?: boolean;
  notify?: Notify;
}

/** A loaded set's sinks: its custom sinks as they are, and its tasks as one task sink. */
export async function pluginSinks(set: TaskSet, clients: AwsClients, wiring: PluginWiring): Promise<Sink[]> {
  const sinks: Sink[] = [...set.sinks];
  if (set.tasks.length === 0) return sinks;
  const { createTaskSink } = await import('../tasks/taskSink.js');
  const options: TaskSinkOptions = { set, mode: wiring.rejects ? 'rejects' : 'requests', owner: wiring.owner };
  if (wiring.poolSize) options.poolSize = wiring.poolSize;
  if (wiring.ledgerTable !== false) options.ledger = await openLedger(clients, wiring.ledgerTable, { createIfLocal: true });
  if (wiring.rejectsQueue && !wiring.rejects) {
    const queues = await sqsQueues(clients);
    const queue = await openQueue(clients, wiring.rejectsQueue, { createIfLocal: true, notify: wiring.notify ?? (() => undefined) });
    options.rejects = { queues, queue };
  }
  sinks.push(createTaskSink(options));
  return sinks;
}
