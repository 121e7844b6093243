/**
 * Which JSON Schema a body must match, or it is poison: a `--schema FILE` for every
 * message; by default the built-in schema of the sqsops template an event is marked with
 * (produce marks what it generates), so the Quick start's poison is all caught; or none.
 */
import { readJsonFile } from './jsonFile.js';
import type { ValidateFunction } from 'ajv';
import { UsageError } from '../core/errors.js';
import { TEMPLATE_ATTRIBUTE, TEMPLATES, templateMark, templateOfMark } from '../core/templates/index.js';

/** Checks a decoded body: a reason when it is invalid, else undefined. */
export type Validate = (body: unknown, attributes: Record<string, string>) => string | undefined;

export type SchemaChoice = { kind: 'templates' } | { kind: 'file'; path: string } | { kind: 'none' };

export interface SchemaCheck {
  validate?: Validate;
  /** What was applied, for the summary: "file x.json", "template schemas (order@1) for marked events", "none". */
  applied: string;
}

async function newAjv() {
  const { Ajv } = await import('ajv');
  return new Ajv({ allErrors: false, strict: false });
}

export async function loadSchema(path: string): Promise<Validate> {
  const schema = await readJsonFile(path);
  const ajv = await newAjv();
  let check: ValidateFunction;
  try {
    check = ajv.compile(schema as object);
  } catch (e: unknown) {
    throw new UsageError(`${path} is not a valid JSON Schema: ${(e as Error).message}`, { cause: e });
  }
  return (body) => (check(body) ? undefined : ajv.errorsText(check.errors, { separator: '; ' }));
}

/** Checks events marked with a template this build ships against its schema; anything else passes. */
async function templateValidator(): Promise<Validate> {
  const ajv = await newAjv();
  const compiled = new Map<string, ValidateFunction>();
  return (body, attributes) => {
    const template = templateOfMark(attributes[TEMPLATE_ATTRIBUTE]);
    if (!template) return undefined;
    const mark = templateMark(template);
    let check = compiled.get(mark);
    if (!check) {
      check = ajv.compile(template.schema);
      compiled.set(mark, check);
    }
    return check(body) ? undefined : `${mark}: ${ajv.errorsText(check.errors, { separator: '; ' })}`;
  };
}

export async function buildValidator(choice: SchemaChoice): Promise<SchemaCheck> {
  if (choice.kind === 'none') return { applied: 'none' };
  if (choice.kind === 'file') return { validate: await loadSchema(choice.path), applied: `file ${choice.path}` };
  const marks = Object.values(TEMPLATES).map(templateMark).join(', ');
  return { validate: await templateValidator(), applied: `template schemas (${marks}) for marked events` };
}
