/**
 * `move --to FILE.ndjson`: the export file as a destination. Each delivered batch is
 * appended as export records (core/messageRecord.ts) and flushed to disk before the
 * move deletes anything from the source: the file is a store like a queue.
 * `openAppendFile` is the one place an export file is opened (consume --out uses it too).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Message } from '@aws-sdk/client-sqs';
import { toRecord } from '../../core/messageRecord.js';
import { UsageError } from '../../core/errors.js';
import type { SendOutcome } from './redriveSend.js';

export interface ExportFile {
  deliver(batch: Message[], onSent: (sourceIds: string[]) => void): Promise<SendOutcome>;
  close(): Promise<void>;
}

export function exportLine(m: Message): string {
  return JSON.stringify(
    toRecord({ messageId: m.MessageId ?? '', body: m.Body ?? '', attributes: m.MessageAttributes, systemAttributes: m.Attributes }),
  );
}

/** An export file open for appending whole lines, each write on disk before it resolves. */
export interface AppendFile {
  append(lines: string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens `path` for appending NDJSON lines, private to its user. A file that does not end in
 * "\n" (cut off, or written by hand) gets one before the first line, or that line would be
 * glued onto its last one and the file could no longer be imported. `flag`: the option
 * that named the path, for the hint.
 */
export async function openAppendFile(path: string, flag: string): Promise<AppendFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'a+', 0o600);
  } catch (e: unknown) {
    throw new UsageError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: `choose a writable path for ${flag}`,
      cause: e,
    });
  }
  let checked = false;
  return {
    async append(lines) {
      if (lines.length === 0) return;
      let text = `${lines.join('\n')}\n`;
      if (!checked) {
        // Checked at the first write, not at open: a run that writes nothing leaves the file as it was.
        const { size } = await handle.stat();
        const last = Buffer.alloc(1);
        if (size > 0) await handle.read(last, 0, 1, size - 1);
        if (size > 0 && last[0] !== 0x0a) text = `\n${text}`;
        checked = true;
      }
      await handle.write(text);
      await handle.sync();
    },
    close: () => handle.close(),
  };
}

export async function openExportFile(path: string): Promise<ExportFile> {
  const file = await openAppendFile(path, '--to');
  return {
    async deliver(batch, onSent) {
      if (batch.length === 0) return { sentIds: [], failed: [], skipped: [] };
      const ids = batch.map((m) => m.MessageId ?? '');
      try {
        await file.append(batch.map(exportLine));
      } catch (e: unknown) {
        const reason = `could not write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
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
