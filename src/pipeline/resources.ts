/**
 * Opening the resources a command works on. On the local target a missing resource is
 * created, with a note: a first run just works. From the CLI (autoCreate 'defaults')
 * only the *default* names are (the default queue with its DLQ, the ledger table, and
 * the rejects queue of a queue that exists): any other missing name is an error naming
 * `sqsops setup`, so a typo creates nothing; `produce` alone creates any queue it is
 * told to send to (documented). On real AWS nothing is created: infrastructure there is
 * a decision. The ledger (DynamoDB) and setup (SNS, S3, DynamoDB) modules are imported
 * only when used: `produce` opens a queue and must not pay for the SDK clients it never calls.
 */
import type { AwsClients } from '../aws/clients.js';
import { SqsQueues, isQueueUrl, type QueueRef } from '../aws/queue.js';
import type { Ledger } from '../aws/ledger.js';
import { QueueNotFoundError, ResourceNotFoundError, UsageError } from '../core/errors.js';
import { parseQueueConfig } from '../core/topology.js';
import { defaultNames } from '../config.js';

export type Notify = (message: string) => void;

/** The queues of a target: every command's SQS calls go through one of these. A signal stops its calls. */
export async function sqsQueues(clients: AwsClients, signal?: AbortSignal): Promise<SqsQueues> {
  return new SqsQueues(await clients.sqs(), signal, clients.endpointOf('sqs'));
}

export interface OpenOptions {
  signal?: AbortSignal;
  notify?: Notify;
  /**
   * On the local target only: true creates a missing default name (see above), 'any'
   * creates whatever name is given (produce's documented behaviour).
   */
  createIfLocal?: boolean | 'any';
}

export async function openQueue(clients: AwsClients, nameOrUrl: string, options: OpenOptions = {}): Promise<QueueRef> {
  const queues = await sqsQueues(clients, options.signal);
  try {
    return await queues.resolve(nameOrUrl);
  } catch (e: unknown) {
    if (!(e instanceof QueueNotFoundError)) throw e;
    const mayCreate = options.createIfLocal === true && (!onlyDefaults(clients) || (await isDefaultQueue(queues, nameOrUrl)));
    const allowed = options.createIfLocal === 'any' || mayCreate;
    if (clients.target.kind !== 'local' || !allowed || isQueueUrl(nameOrUrl)) {
      if (clients.target.kind === 'local') {
        throw new QueueNotFoundError(nameOrUrl, {
          hint: `create it with \`sqsops setup --queue ${nameOrUrl}\` or send to it with \`sqsops produce --queue ${nameOrUrl}\``,
        });
      }
      throw e;
    }
    const problems: string[] = [];
    const config = parseQueueConfig(nameOrUrl, '--queue', problems);
    if (!config) throw e;
    const { setupTopology } = await import('./converge.js');
    await setupTopology(clients, { queues: [config], ledgerTable: false, bucket: false }, { signal: options.signal });
    options.notify?.(
      `created queue ${config.name}${config.dlq ? ` with DLQ ${config.dlq.name} (maxReceiveCount ${config.dlq.maxReceiveCount})` : ''} on the local AWS`,
    );
    return queues.resolve(nameOrUrl);
  }
}

/**
 * A queue's DLQ: the queue named by `name` when given, else the one its redrive policy
 * names; undefined when it has none. Never created: a DLQ that is gone is an error.
 */
export async function openDlq(
  clients: AwsClients,
  queue: QueueRef,
  options: { name?: string | undefined; signal?: AbortSignal | undefined } = {},
): Promise<QueueRef | undefined> {
  const target = options.name ?? queue.deadLetterTargetArn?.split(':').pop();
  if (!target) return undefined;
  return openQueue(clients, target, { createIfLocal: false, signal: options.signal });
}

/** The CLI connects with autoCreate 'defaults'; a library caller gets any name made, as it asks. */
function onlyDefaults(clients: AwsClients): boolean {
  return clients.target.kind === 'local' && clients.target.autoCreate === 'defaults';
}

/** The default queue, or the rejects queue of a queue that exists (process-sqs --rejects-queue makes one per queue). */
async function isDefaultQueue(queues: SqsQueues, name: string): Promise<boolean> {
  if (name === defaultNames().queue) return true;
  const base = /^(.+)-rejects(\.fifo)?$/.exec(name);
  if (!base) return false;
  return queues.resolve(`${base[1]}${base[2] ?? ''}`).then(
    () => true,
    () => false,
  );
}

/** DynamoDB's rule for table names; checked here so a bad one is a usage error, not a service error. */
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

export async function openLedger(clients: AwsClients, table: string, options: OpenOptions = {}): Promise<Ledger> {
  if (!TABLE_NAME.test(table)) {
    throw new UsageError(`"${table}" is not a valid table name`, { hint: 'use 3 to 255 letters, digits, "_", "-" or "."' });
  }
  const { Ledger } = await import('../aws/ledger.js');
  const ledger = new Ledger(await clients.dynamodb(), table, options.signal, clients.endpointOf('dynamodb'));
  if (await ledger.exists()) return ledger;
  const allowed =
    options.createIfLocal === 'any' || (options.createIfLocal === true && (!onlyDefaults(clients) || table === defaultNames().ledgerTable));
  if (clients.target.kind === 'local' && allowed) {
    await ledger.create();
    options.notify?.(`created ledger table ${table} on the local AWS`);
    return ledger;
  }
  throw new ResourceNotFoundError(`ledger table "${table}" does not exist`, {
    hint: `create it with \`sqsops setup --table ${table}\``,
    context: { table },
  });
}
