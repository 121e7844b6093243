/**
 * Where `move --to` points: a queue on this target, a queue URL in another region (or,
 * with `--to-profile`, another account), or an export file. A queue URL names its
 * region in its host, and SQS signs per region, so a queue elsewhere needs its own
 * clients; everything else about the target (endpoint, local or AWS) stays the same.
 */
import { createClients, type AwsClients, type ResolvedTarget } from '../../aws/clients.js';
import { isQueueUrl } from '../../aws/queue.js';
import { UsageError } from '../../core/errors.js';

/** The region in a queue URL: sqs.<region>.amazonaws.com, <region>.queue.amazonaws.com, or an emulator's sqs.<region>.<host>. */
export function regionFromQueueUrl(url: string): string | undefined {
  const m = /^https?:\/\/(?:sqs\.)?([a-z]{2}(?:-[a-z]+)+-\d+)\.[^/]+\//.exec(url);
  return m?.[1];
}

/** A `--to` that is a file: a path with a slash, or a name ending in .ndjson / .jsonl (no queue name has either). */
export function isFileDestination(to: string): boolean {
  if (isQueueUrl(to)) return false;
  return to.includes('/') || /\.(ndjson|jsonl)$/i.test(to);
}

/**
 * The target of the destination queue, or undefined when the source's clients serve it.
 * Pure, so the choice is tested without servers.
 */
export function destinationTarget(source: ResolvedTarget, to: string, toProfile: string | undefined): ResolvedTarget | undefined {
  const urlRegion = isQueueUrl(to) ? regionFromQueueUrl(to) : undefined;
  const region = urlRegion ?? source.region;
  if (toProfile !== undefined && source.kind === 'local') {
    throw new UsageError('--to-profile names an AWS profile, but this command runs on the local AWS', {
      hint: 'pass --profile (or AWS settings) for the source too, or leave out --to-profile',
    });
  }
  if (toProfile === undefined && region === source.region) return undefined;
  if (source.kind === 'local') return { ...source, region: region ?? source.region };
  // Another account: its profile's credentials, not the source's explicit keys.
  const { credentials: _keys, ...rest } = source;
  if (toProfile !== undefined) return { ...rest, region, profile: toProfile, reason: '--to-profile' };
  return { ...source, region };
}

/** The clients for the destination: the source's own, or new ones (closed with the source's). */
export function destinationClients(source: AwsClients, to: string, toProfile: string | undefined): AwsClients {
  const target = destinationTarget(source.target, to, toProfile);
  return target ? createClients(target) : source;
}
