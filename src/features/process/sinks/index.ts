/**
 * The built-in sinks, built from a plain description (the CLI makes it from flags, the Lambda
 * handler from environment variables). The table below is the table of contents;
 * each sink's module (and driver) is imported only when it is used. Your own code (tasks
 * and custom sinks) is loaded by features/tasks/modules.ts and wired beside these (assemble.ts).
 */
import type { AwsClients } from '../../../aws/clients.js';
import { UsageError } from '../../../core/errors.js';
import { requireDriver } from './drivers.js';
import type { Sink } from '../../../pipeline/sink.js';

export const SINK_NAMES = ['s3', 'mongodb', 'mssql'] as const;
export type SinkName = (typeof SINK_NAMES)[number];

export interface SinkSpec {
  sinks: SinkName[];
  s3?: { bucket: string; prefix?: string; mode?: 'object' | 'batch' };
  mongodb?: { url?: string; database?: string; collection?: string };
  mssql?: { url?: string; table?: string };
}

type Builder = (spec: SinkSpec, clients: AwsClients, notify: (m: string) => void) => Promise<Sink>;

const BUILDERS: Record<SinkName, Builder> = {
  async s3(spec, clients, notify) {
    const { createS3Sink } = await import('./s3.js');
    const { ObjectStore } = await import('../../../aws/objects.js');
    const bucket = spec.s3?.bucket ?? 'sqsops-data';
    const objects = new ObjectStore(await clients.s3(), undefined, clients.endpointOf('s3'));
    if (!(await objects.bucketExists(bucket))) {
      if (clients.target.kind !== 'local')
        throw new UsageError(`bucket "${bucket}" does not exist`, { hint: `create it with \`sqsops setup --bucket ${bucket}\`` });
      await objects.createBucket(bucket, clients.target.region);
      notify(`created bucket ${bucket} on the local AWS`);
    }
    return createS3Sink({ s3: await clients.s3(), bucket, prefix: spec.s3?.prefix ?? 'messages', mode: spec.s3?.mode ?? 'object' });
  },
  async mongodb(spec) {
    const url = spec.mongodb?.url;
    if (!url) throw new UsageError('the mongodb sink needs a server', { hint: 'pass --mongodb-url or set SQSOPS_MONGODB_URL' });
    await requireDriver('mongodb');
    const { createMongoSink } = await import('./mongodb.js');
    return createMongoSink({ url, database: spec.mongodb?.database ?? 'sqsops', collection: spec.mongodb?.collection ?? 'messages' });
  },
  async mssql(spec) {
    const url = spec.mssql?.url;
    if (!url) throw new UsageError('the mssql sink needs a server', { hint: 'pass --mssql-url or set SQSOPS_MSSQL_URL' });
    await requireDriver('mssql');
    const { createMssqlSink } = await import('./mssql.js');
    return createMssqlSink({ connectionString: url, table: spec.mssql?.table ?? 'dbo.sqsops_messages' });
  },
};

export async function buildSinks(spec: SinkSpec, clients: AwsClients, notify: (m: string) => void = () => undefined): Promise<Sink[]> {
  const sinks: Sink[] = [];
  for (const name of new Set(spec.sinks)) {
    if (!(name in BUILDERS)) throw new UsageError(`unknown sink "${name}"`, { hint: `use ${SINK_NAMES.join(', ')}` });
    sinks.push(await BUILDERS[name](spec, clients, notify));
  }
  return sinks;
}
