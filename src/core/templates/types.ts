/** What a template is, apart from the registry (index.ts) that lists them: templates import this, not the registry. */
import type { Faker } from '@faker-js/faker';

export interface EventTemplate {
  name: string;
  /** Bumped when the event's shape changes; the mark names it, so old events keep their old schema. */
  version: number;
  description: string;
  /** JSON Schema of a valid event: consumers check marked events against it. */
  schema: Record<string, unknown>;
  /** The field that identifies the business entity; duplicates repeat it. */
  keyField: string;
  /** Builds a generator (catalogs, pools) once per run; it is called once per event. */
  create(faker: Faker): (seq: number) => Record<string, unknown>;
}
