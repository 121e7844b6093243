/**
 * The move journal (redrive-dlq calls it the redrive journal): the source message ids a
 * manual move has sent to their destination, written to disk (and flushed) after the send
 * succeeded and before the delete from the source. A run killed between the two leaves
 * the message on the source; the next run finds its id here and deletes it without
 * sending it again, so a standard destination (which has no deduplication) gets no duplicate.
 *
 * A message keeps its id for as long as it stays on its queue, and a moved message gets
 * a new id at the destination, so an id seen here can only be that same message.
 * One folder per source (and, for move, destination), one NDJSON file per day; files older than SQS's longest
 * retention (14 days) can no longer match a message and are removed. Several runs may
 * append at once: each batch is one O_APPEND write of whole lines, and `refresh` reads
 * what other runs added since.
 *
 * The window that is left: a kill -9 after SQS accepted a send and before its line is
 * written. `append` is a synchronous write on a file kept open, called the moment the
 * send's answer is parsed, so that window is the answer's trip back and one write(2);
 * `flush` (fdatasync) before the delete covers a crash of the machine as well.
 */
import { closeSync, fchmodSync, fdatasync, openSync, writeSync } from 'node:fs';
import { chmod, mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';

/** SQS keeps a message at most 14 days; a day more covers clocks and time zones. */
const KEEP_DAYS = 15;

export interface MoveJournal {
  /** This source's folder of day files. */
  readonly dir: string;
  /** Reads what other runs appended since the last look. */
  refresh(): Promise<void>;
  has(sourceMessageId: string): boolean;
  /** Writes down, at once and synchronously, that these source messages now exist at `destination`. */
  append(sourceMessageIds: readonly string[], destination: string): void;
  /** Puts what `append` wrote on disk (fdatasync). */
  flush(): Promise<void>;
  /** `append` then `flush`. */
  record(sourceMessageIds: readonly string[], destination: string): Promise<void>;
  close(): void;
}

const datasync = promisify(fdatasync);

function safeName(key: string): string {
  return key.replace(/[^A-Za-z0-9._-]+/g, '_');
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Opens (creating) the journal of one source (its key) below `root`, and drops expired day files. */
export async function openMoveJournal(root: string, key: string, now: () => number = Date.now): Promise<MoveJournal> {
  const dir = join(root, safeName(key));
  // Private to the user, like the rest of the state dir (older versions made them 0755/0644).
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await Promise.all([chmod(root, 0o700), chmod(dir, 0o700)]);
  const ids = new Set<string>();
  const offsets = new Map<string, number>();
  const oldest = day(now() - KEEP_DAYS * 86_400_000);

  const readNew = async (file: string): Promise<void> => {
    const path = join(dir, file);
    const from = offsets.get(file) ?? 0;
    const size = (await stat(path)).size;
    if (size <= from) return;
    const handle = await open(path, 'r');
    try {
      const buf = Buffer.alloc(size - from);
      await handle.read(buf, 0, buf.length, from);
      // Only whole lines: another run may be half-way through its write.
      const end = buf.lastIndexOf(0x0a);
      if (end < 0) return;
      for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          for (const id of (JSON.parse(line) as { ids?: string[] }).ids ?? []) ids.add(id);
        } catch {
          /* a torn line from a crash mid-write: its batch was never deleted, so it is simply sent again */
        }
      }
      offsets.set(file, from + end + 1);
    } finally {
      await handle.close();
    }
  };

  const refresh = async (): Promise<void> => {
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.ndjson')).sort()) {
      if (file.slice(0, 10) < oldest) {
        await rm(join(dir, file), { force: true });
        continue;
      }
      await readNew(file);
    }
  };
  await refresh();

  // Opened once: the append after a send must not wait for an open(2).
  const fd = openSync(join(dir, `${day(now())}.ndjson`), 'a', 0o600);
  fchmodSync(fd, 0o600);
  let dirty = false;
  let syncing: Promise<void> = Promise.resolve();
  const append = (sourceMessageIds: readonly string[], destination: string): void => {
    if (sourceMessageIds.length === 0) return;
    writeSync(fd, `${JSON.stringify({ at: new Date(now()).toISOString(), to: destination, ids: sourceMessageIds })}\n`);
    dirty = true;
    for (const id of sourceMessageIds) ids.add(id);
  };
  // Several lanes flush at once: one that finds nothing new waits for the sync already running,
  // which began after its append and so covers it.
  const flush = (): Promise<void> => {
    if (dirty) {
      dirty = false;
      syncing = datasync(fd);
    }
    return syncing;
  };
  return {
    dir,
    refresh,
    has: (id) => ids.has(id),
    append,
    flush,
    async record(sourceMessageIds, destination) {
      append(sourceMessageIds, destination);
      await flush();
    },
    close: () => closeSync(fd),
  };
}
