/**
 * Reads download lists from a file, a folder of files, or stdin (`-`), and hands the
 * text to the pure parser. Unreadable inputs are usage errors; bad entries are not
 * (they are reported one by one and the good entries still run).
 */
import type { Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { mergeEntries, parseEntries, type ParsedEntries } from './input.js';

/** Files a folder may hold; anything else in it is left alone (and listed as ignored). */
export const LIST_EXTENSIONS = ['.json', '.ndjson', '.jsonl', '.txt'] as const;

export interface ReadListsResult extends ParsedEntries {
  /** The files that were read, in order. */
  files: string[];
  /** Folder members that are not lists (by extension). */
  ignored: string[];
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e: unknown) {
    throw new UsageError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'check the FILE argument',
      cause: e,
    });
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads `path` (a list, a folder of lists, or `-` for `stdin`) and returns every valid
 * entry and every problem, named by file and index. Folders are read in name order,
 * not recursively, so a run is repeatable.
 */
export async function readDownloadLists(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<ReadListsResult> {
  if (path === '-') {
    return { ...mergeEntries([parseEntries(await readStream(stdin), 'stdin')]), files: ['stdin'], ignored: [] };
  }
  let info: Stats;
  try {
    info = await stat(path);
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path} (${code ?? 'error'})`, {
      hint: 'give a JSON or NDJSON list of URLs, a folder of them, or - for stdin',
      cause: e,
    });
  }
  if (!info.isDirectory()) {
    return { ...mergeEntries([parseEntries(await readText(path), basename(path))]), files: [path], ignored: [] };
  }
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((d) => d.isFile())
    .map((d) => d.name)
    .sort();
  const isList = (n: string) => LIST_EXTENSIONS.some((x) => n.toLowerCase().endsWith(x));
  const files = names.filter(isList).map((n) => join(path, n));
  if (files.length === 0) {
    throw new UsageError(`${path} holds no lists`, { hint: `put URL lists in files ending in ${LIST_EXTENSIONS.join(', ')}` });
  }
  const lists: ParsedEntries[] = [];
  for (const f of files) lists.push(parseEntries(await readText(f), basename(f)));
  return { ...mergeEntries(lists), files, ignored: names.filter((n) => !isList(n)) };
}
