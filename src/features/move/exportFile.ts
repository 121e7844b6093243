/**
 * `move --to FILE.ndjson`: the export file as a destination. Each delivered batch is
 * appended as export records (core/messageRecord.ts) and flushed to disk before the
 * move deletes anything from the source: the file is a store like a queue.
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

export async function openExportFile(path: string): Promise<ExportFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'a', 0o600);
  } catch (e: unknown) {
    throw new UsageError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'choose a writable path for --to',
      cause: e,
    });
  }
  return {
    async deliver(batch, onSent) {
      if (batch.length === 0) return { sentIds: [], failed: [], skipped: [] };
      const ids = batch.map((m) => m.MessageId ?? '');
      try {
        await handle.write(`${batch.map(exportLine).join('\n')}\n`);
        await handle.sync();
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
    close: () => handle.close(),
  };
}
