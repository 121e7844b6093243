/** `--schema FILE`: a JSON Schema (via ajv) that a body must match, or it is poison. */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';

export async function loadSchema(path: string): Promise<(body: unknown) => string | undefined> {
  let schema: unknown;
  try {
    schema = JSON.parse(await readFile(path, 'utf8'));
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code ? `cannot read ${path} (${code})` : `${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const { Ajv } = await import('ajv');
  const ajv = new Ajv({ allErrors: false, strict: false });
  let check;
  try {
    check = ajv.compile(schema as object);
  } catch (e: unknown) {
    throw new UsageError(`${path} is not a valid JSON Schema: ${(e as Error).message}`, { cause: e });
  }
  return (body) => (check(body) ? undefined : ajv.errorsText(check.errors, { separator: '; ' }));
}
