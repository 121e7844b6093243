/**
 * Opening the resources a command works on. On the local target a missing default
 * resource is created (with a note); on real AWS a missing one is an error that
 * names `sqsops setup`, because creating infrastructure there is a decision.
 */
import type { AwsClients } from '../../aws/clients.js';
import { SqsQueues, isQueueUrl, type QueueRef } from '../../aws/queue.js';
import { Ledger } from '../../aws/ledger.js';
import { QueueNotFoundError, ResourceNotFoundError } from '../../core/errors.js';
import { parseQueueConfig } from '../../core/topology.js';
import { setupTopology } from './setup.js';

export type Notify = (message: string) => void;

export interface OpenOptions {
  signal?: AbortSignal;
  notify?: Notify;
  /** Create it if missing, on the local target only. */
  createIfLocal?: boolean;
}

export async function openQueue(clients: AwsClients, nameOrUrl: string, options: OpenOptions = {}): Promise<QueueRef> {
  const queues = new SqsQueues(await clients.sqs(), options.signal, clients.endpointOf('sqs'));
  try {
    return await queues.resolve(nameOrUrl);
  } catch (e: unknown) {
    if (!(e instanceof QueueNotFoundError)) throw e;
    if (clients.target.kind !== 'local' || !options.createIfLocal || isQueueUrl(nameOrUrl)) {
      if (clients.target.kind === 'local') {
        throw new QueueNotFoundError(nameOrUrl, { hint: `create it with \`sqsops setup --queue ${nameOrUrl}\` or send to it with \`sqsops produce --queue ${nameOrUrl}\`` });
      }
      throw e;
    }
    const problems: string[] = [];
    const config = parseQueueConfig(nameOrUrl, '--queue', problems);
    if (!config) throw e;
    await setupTopology(clients, { queues: [config], ledgerTable: false, bucket: false }, { ...(options.signal ? { signal: options.signal } : {}) });
    options.notify?.(`created queue ${config.name}${config.dlq ? ` with DLQ ${config.dlq.name} (maxReceiveCount ${config.dlq.maxReceiveCount})` : ''} on the local AWS`);
    return queues.resolve(nameOrUrl);
  }
}

export async function openLedger(clients: AwsClients, table: string, options: OpenOptions = {}): Promise<Ledger> {
  const ledger = new Ledger(await clients.dynamodb(), table, options.signal, clients.endpointOf('dynamodb'));
  if (await ledger.exists()) return ledger;
  if (clients.target.kind === 'local' && options.createIfLocal) {
    await ledger.create();
    options.notify?.(`created ledger table ${table} on the local AWS`);
    return ledger;
  }
  throw new ResourceNotFoundError(`ledger table "${table}" does not exist`, {
    hint: `create it with \`sqsops setup --table ${table}\``,
    context: { table },
  });
}
