/**
 * The MessageGroupId and MessageDeduplicationId produce gives a message on a FIFO queue:
 * the message's own (an export record's), else from `--group-by` / `--dedup-id`, else the
 * defaults (one group, "sqsops"; the body's SHA-256). One home, so the import check sees
 * exactly the ids that will be sent. Pure: no I/O.
 */
import { createHash, randomUUID } from 'node:crypto';
import { getPath } from './keys.js';

export const DEFAULT_GROUP = 'sqsops';

export interface FifoIdOptions {
  /** The body field whose value is the group id. */
  groupBy?: string | undefined;
  /** "content" (the queue's content-based dedup: no id), "hash", "random", or a body field. */
  dedupMode: string;
}

export interface FifoIds {
  groupId: string;
  /** Absent with content-based deduplication. */
  deduplicationId?: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function parsed(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export function fifoIds(input: { body: string; groupId?: string; deduplicationId?: string }, options: FifoIdOptions): FifoIds {
  const needsBody = (input.groupId === undefined && options.groupBy) || !['content', 'hash', 'random'].includes(options.dedupMode);
  const value = needsBody ? parsed(input.body) : undefined;
  let groupId = input.groupId;
  if (groupId === undefined) {
    const group = options.groupBy ? getPath(value, options.groupBy) : undefined;
    groupId = group === undefined || group === null || group === '' ? DEFAULT_GROUP : String(group);
  }
  const ids: FifoIds = { groupId };
  if (input.deduplicationId !== undefined) ids.deduplicationId = input.deduplicationId;
  else if (options.dedupMode === 'hash') ids.deduplicationId = sha256(input.body);
  else if (options.dedupMode === 'random') ids.deduplicationId = randomUUID();
  else if (options.dedupMode !== 'content') {
    const v = getPath(value, options.dedupMode);
    ids.deduplicationId = v === undefined || v === null ? sha256(input.body) : String(v);
  }
  return ids;
}
