/**
 * From a ProcessConfig to the parts the pipeline runs with: the schema check, the sinks
 * and the tasks sink. The CLI and the Lambda both call this, so they cannot drift apart.
 */
import type { AwsClients } from '../../aws/clients.js';
import { UsageError } from '../../core/errors.js';
import type { TaskSet } from '../tasks/modules.js';
import type { TaskSinkOptions } from '../tasks/taskSink.js';
import type { ProcessConfig, TaskConfig } from './config.js';
import { buildValidator, type SchemaCheck } from '../../pipeline/schema.js';
import { buildSinks } from './sinks/index.js';
import type { Sink } from '../../pipeline/sink.js';

export interface ProcessParts {
  schema: SchemaCheck;
  sinks: Sink[];
}

export interface WireOptions {
  /** The run's claim owner: the tasks sink records finished tasks as this owner. */
  owner: string;
  /** Where secrets such as SQSOPS_WEBHOOK_URL are read from. */
  env: NodeJS.ProcessEnv;
  notify?: (message: string) => void;
}

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
  notify?: (message: string) => void;
}

/** A loaded set's sinks: its custom sinks as they are, and its tasks as one task sink. */
export async function pluginSinks(set: TaskSet, clients: AwsClients, wiring: PluginWiring): Promise<Sink[]> {
  const sinks: Sink[] = [...set.sinks];
  if (set.tasks.length === 0) return sinks;
  const { createTaskSink } = await import('../tasks/taskSink.js');
  const { openQueue, openLedger, sqsQueues } = await import('../../pipeline/resources.js');
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

/**
 * Builds the schema check and the sinks. A task set already loaded (the CLI loads it
 * before connecting, so a broken module fails fast) is used as it is.
 */
export async function wireProcess(
  clients: AwsClients,
  config: ProcessConfig,
  options: WireOptions,
  loaded?: TaskSet,
): Promise<ProcessParts> {
  const schema = await buildValidator(config.schema);
  const sinks = await buildSinks(config.sinks, clients, options.notify);
  const tasks = config.tasks;
  if (tasks) {
    const set = loaded ?? (await loadTaskSet(tasks, options.env));
    const wiring: PluginWiring = {
      owner: options.owner,
      ledgerTable: config.ledgerTable,
      poolSize: tasks.poolSize,
      rejects: tasks.rejects,
    };
    if (tasks.rejectsQueue) wiring.rejectsQueue = tasks.rejectsQueue;
    if (options.notify) wiring.notify = options.notify;
    sinks.push(...(await pluginSinks(set, clients, wiring)));
  }
  return { schema, sinks };
}
