import { readJsonFile } from '../../pipeline/jsonFile.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../../core/errors.js';
import { parseTopology, type TopologyConfig } from '../../core/topology.js';
import { setupTopology, type SetupStep } from '../../pipeline/converge.js';

export interface SetupFlags {
  config?: string;
  queue?: string[];
  maxReceiveCount: number;
  dlq?: boolean;
  visibilityTimeout: number;
  waitTime: number;
  retention: number;
  contentBasedDedup?: boolean;
  table?: string;
  bucket?: string;
  topic?: string;
  rawDelivery?: boolean;
  dryRun?: boolean;
}

async function fromFile(path: string): Promise<TopologyConfig> {
  const raw = await readJsonFile(path);
  const { config, problems } = parseTopology(raw);
  if (!config)
    throw new UsageError(`${path}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''}`, {
      hint: problems.slice(1, 4).join('; ') || undefined,
    });
  return config;
}

export function topologyFromFlags(flags: SetupFlags, defaults: { queue: string; ledgerTable: string; bucket: string }): TopologyConfig {
  const maxReceiveCount = flags.maxReceiveCount;
  const raw = {
    queues: (flags.queue?.length ? flags.queue : [defaults.queue]).map((name) => ({
      name,
      ...(flags.dlq === false ? { dlq: false } : { maxReceiveCount }),
      visibilityTimeout: flags.visibilityTimeout,
      waitTimeSeconds: flags.waitTime,
      retentionSeconds: flags.retention,
      ...(flags.contentBasedDedup ? { contentBasedDeduplication: true } : {}),
    })),
    ...(flags.topic
      ? {
          topics: [
            {
              name: flags.topic,
              subscriptions: (flags.queue?.length ? flags.queue : [defaults.queue]).map((queue) => ({
                queue,
                rawDelivery: flags.rawDelivery ?? false,
              })),
            },
          ],
        }
      : {}),
    ledgerTable: flags.table ?? defaults.ledgerTable,
    bucket: flags.bucket ?? defaults.bucket,
  };
  const { config, problems } = parseTopology(raw);
  if (!config) {
    const [first] = problems;
    const m = /^(".*" is not a valid queue name) \((.*)\)$/.exec(first!);
    throw m ? new UsageError(m[1]!, { hint: m[2] }) : new UsageError(first!.replace(/^queues\[\d+\]/, '--queue'));
  }
  return config;
}

export async function run(flags: SetupFlags, ctx: CommandContext): Promise<void> {
  if (flags.config && (flags.queue || flags.table || flags.bucket || flags.topic)) {
    throw new UsageError('--config describes the whole topology; do not combine it with --queue, --topic, --table or --bucket');
  }
  if (flags.rawDelivery && !flags.topic) throw new UsageError('--raw-delivery goes with --topic');
  const config = flags.config ? await fromFile(flags.config) : topologyFromFlags(flags, ctx.names);
  const clients = await ctx.connect();
  const steps: SetupStep[] = await setupTopology(clients, config, { dryRun: flags.dryRun ?? false, signal: ctx.signal });
  const { out } = ctx;
  if (out.json) {
    out.printJson({ dryRun: flags.dryRun ?? false, steps }, steps);
    return;
  }
  const verb = (a: SetupStep['action']) =>
    (flags.dryRun
      ? { create: 'would create', update: 'would update', unchanged: 'unchanged' }
      : { create: 'created', update: 'updated', unchanged: 'unchanged' })[a];
  out.print(
    out.table(
      ['resource', 'name', 'action', 'settings'],
      steps.map((s) => [
        s.resource,
        s.name,
        verb(s.action),
        Object.entries(s.changes ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join('\n'),
      ]),
    ),
  );
  if (flags.dryRun) out.note('dry run: nothing was changed');
}
