/** Reading a whole JSON file (a topology, a JSON Schema): one usage error for a file that cannot be read or parsed. */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';

export async function readJsonFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code ? `cannot read ${path} (${code})` : `${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}
