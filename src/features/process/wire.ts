/**
 * From a ProcessConfig to the parts the pipeline runs with: the schema check, the sinks
 * and the tasks sink. The CLI and the Lambda both call this, so they cannot drift apart.
 */
import type { AwsClients } from '../../aws/clients.js';
import { UsageError } from '../../core/errors.js';
import type { TaskSet } from '../tasks/load.js';
import type { ProcessConfig, TaskConfig } from './config.js';
import { buildValidator, type SchemaCheck } from './schema.js';
import { buildSinks } from './sinks/index.js';
import type { Sink } from './sinks/types.js';

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
  const { loadTasks } = await import('../tasks/load.js');
  if (tasks.failureTask !== 'webhook') return loadTasks(tasks.handlers, tasks.failureTask ? { failureTask: tasks.failureTask } : {});
  const { webhookTask, WEBHOOK_ENV } = await import('../tasks/webhook.js');
  const url = env[WEBHOOK_ENV];
  if (!url) {
    const hint = `export ${WEBHOOK_ENV}=<your incoming-webhook URL> (it is never printed)`;
    throw new UsageError(`--failure-task webhook needs ${WEBHOOK_ENV}`, { hint });
  }
  const set = await loadTasks(tasks.handlers);
  const all = set.failureTask ? [...set.tasks, set.failureTask] : set.tasks;
  return { tasks: all, failureTask: { ...webhookTask(url), file: '(built-in)' } };
}

async function taskSink(set: TaskSet, config: ProcessConfig, tasks: TaskConfig, clients: AwsClients, options: WireOptions): Promise<Sink> {
  const { createTaskSink } = await import('../tasks/runner.js');
  const { SqsQueues } = await import('../../aws/queue.js');
  const { openQueue, openLedger } = await import('../setup/resources.js');
  const notify = options.notify ?? (() => undefined);
  const mode = tasks.rejects ? 'rejects' : 'requests';
  const sink: Parameters<typeof createTaskSink>[0] = { set, mode, poolSize: tasks.poolSize, owner: options.owner };
  if (config.ledgerTable !== false) sink.ledger = await openLedger(clients, config.ledgerTable, { createIfLocal: true });
  if (!tasks.rejects) {
    const queues = new SqsQueues(await clients.sqs(), undefined, clients.endpointOf('sqs'));
    sink.rejects = { queues, queue: await openQueue(clients, tasks.rejectsQueue, { createIfLocal: true, notify }) };
  }
  return createTaskSink(sink);
}

/**
 * Builds the schema check and the sinks. A task set already loaded (the CLI loads it
 * before connecting, so a broken task fails fast) is used as it is.
 */
export async function wireProcess(
  clients: AwsClients,
  config: ProcessConfig,
  options: WireOptions,
  loaded?: TaskSet,
): Promise<ProcessParts> {
  const schema = await buildValidator(config.schema);
  const sinks = await buildSinks(config.sinks, clients, options.notify);
  if (config.tasks) {
    const set = loaded ?? (await loadTaskSet(config.tasks, options.env));
    sinks.push(await taskSink(set, config, config.tasks, clients, options));
  }
  return { schema, sinks };
}
