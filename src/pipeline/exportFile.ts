/**
 * `move --to FILE.ndjson`: the export file as a destination. Each delivered batch is
 * appended as export records (core/messageRecord.ts) and flushed to disk before the
 * move deletes anything from the source: the file is a store like a queue.
 * `openAppendFile` is the one place an export file is opened (consume --out uses it too).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Message } from '@aws-sdk/client-sqs';
import { toRecord } from '../core/messageRecord.js';
import { LEGACY_SIZE_ATTRIBUTE, SIZE_ATTRIBUTE } from '../core/payloadPointer.js';
import { ExportWriteError, UsageError } from '../core/errors.js';
import type { SendOutcome } from './forward.js';

export interface ExportFile {
  deliver(batch: Message[], onSent: (sourceIds: string[]) => void): Promise<SendOutcome>;
  close(): Promise<void>;
}

/** What consume adds to a line: the real body of a large-payload pointer, and what it did with the message. */
export interface Taking {
  /** The pointer's real body: the line holds it, so the pointer's size attribute no longer applies. */
  resolvedBody?: string | undefined;
  key: string;
  status: string;
}

/** One received message as one export record line (move --to FILE, consume --out). */
export function exportLine(m: Message, taking?: Taking): string {
  const attributes = taking?.resolvedBody === undefined ? m.MessageAttributes : withoutSizeAttribute(m.MessageAttributes);
  const record = toRecord({
    messageId: m.MessageId ?? '',
    body: taking?.resolvedBody ?? m.Body ?? '',
    attributes,
    systemAttributes: m.Attributes,
  });
  return JSON.stringify(taking ? { ...record, key: taking.key, status: taking.status } : record);
}

function withoutSizeAttribute(attributes: Message['MessageAttributes']): Message['MessageAttributes'] {
  const { [SIZE_ATTRIBUTE]: _s, [LEGACY_SIZE_ATTRIBUTE]: _l, ...rest } = attributes ?? {};
  return rest;
}

/** An export file open for appending whole lines, each write on disk before it resolves. */
export interface AppendFile {
  /** Appends the lines whole and fsyncs them, or throws an ExportWriteError with the file trimmed back to its last whole line. */
  append(lines: string[]): Promise<void>;
  close(): Promise<void>;
}

/** A usage error for an empty or blank path, before anything is taken. */
export function checkPath(path: string, flag: string): void {
  if (!path.trim()) throw new UsageError(`${flag} is empty: give it a file path`);
}

/**
 * Opens `path` for appending NDJSON lines, private to its user: the one checked writer every
 * export goes through. A file that does not end in "\n" (cut off, or written by hand) gets
 * one before the first line, or that line would be glued onto its last one. Appends run one
 * at a time (move's lanes share the file); each is written whole (a short write is carried on,
 * never taken as whole) and fsynced before it resolves. When one fails (ENOSPC, EFBIG, EIO),
 * the file is truncated back to its last whole line and every later append fails the same way.
 * `flag`: the option that named the path, for the hints.
 */
export async function openAppendFile(path: string, flag: string): Promise<AppendFile> {
  checkPath(path, flag);
  let handle: FileHandle;
  try {
    handle = await open(path, 'a+', 0o600);
  } catch (e: unknown) {
    throw new UsageError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: `choose a writable path for ${flag}`,
      cause: e,
    });
  }
  /** Bytes of whole lines in the file (read at the first append); undefined until then. */
  let size: number | undefined;
  let broken: ExportWriteError | undefined;
  let queue: Promise<void> = Promise.resolve();

  const fail = async (e: unknown, whole: number): Promise<never> => {
    const code = e instanceof ShortWrite ? 'SHORT' : ((e as NodeJS.ErrnoException).code ?? 'EIO');
    let trimmed = '';
    try {
      await handle.truncate(whole);
    } catch (t: unknown) {
      trimmed = `; its cut-off last line could not be trimmed (${(t as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    broken = new ExportWriteError(path, code, {
      hint: `free space there, or choose another path for ${flag}; what is not in the file is still on the queue${trimmed}`,
      cause: e,
    });
    throw broken;
  };

  const write = async (lines: string[]): Promise<void> => {
    if (broken) throw broken;
    let text = `${lines.join('\n')}\n`;
    if (size === undefined) {
      // Checked at the first write, not at open: a run that writes nothing leaves the file as it was.
      const { size: now } = await handle.stat();
      const last = Buffer.alloc(1);
      if (now > 0) await handle.read(last, 0, 1, now - 1);
      if (now > 0 && last[0] !== 0x0a) text = `\n${text}`;
      size = now;
    }
    const whole = size;
    const bytes = Buffer.from(text);
    try {
      for (let done = 0; done < bytes.length; ) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
        if (bytesWritten <= 0) throw new ShortWrite();
        done += bytesWritten;
      }
      await handle.sync();
    } catch (e: unknown) {
      return fail(e, whole);
    }
    size = whole + bytes.length;
  };

  return {
    append(lines) {
      if (lines.length === 0) return Promise.resolve();
      const next = queue.then(() => write(lines));
      queue = next.catch(() => undefined);
      return next;
    },
    close: () => handle.close(),
  };
}

/** A write that took nothing and said no error: never taken as done. */
class ShortWrite extends Error {}

export async function openExportFile(path: string): Promise<ExportFile> {
  const file = await openAppendFile(path, '--to');
  return {
    async deliver(batch, onSent) {
      if (batch.length === 0) return { sentIds: [], failed: [], skipped: [] };
      const ids = batch.map((m) => m.MessageId ?? '');
      try {
        await file.append(batch.map((m) => exportLine(m)));
      } catch (e: unknown) {
        const reason = e instanceof ExportWriteError ? e.message : `could not write ${path} (${(e as Error).message})`;
        return {
          sentIds: [],
          failed: ids.map((messageId) => ({ messageId, code: 'WriteFailed', reason })),
          skipped: [],
          stoppedBy: reason,
        };
      }
      onSent(ids);
      return { sentIds: ids, failed: [], skipped: [] };
    },
    close: () => file.close(),
  };
}
