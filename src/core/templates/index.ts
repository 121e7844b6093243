/**
 * The registry of event templates for `produce --template`: one entry per template,
 * read as the table of contents. Poison bodies are the same for every template.
 */
import { orderTemplate } from './order.js';
import type { EventTemplate } from './types.js';

export type { EventTemplate } from './types.js';

export const TEMPLATES: Record<string, EventTemplate> = {
  order: orderTemplate,
};

/**
 * The message attribute produce marks template events with (`order@1`): process-sqs and
 * consume find the schema to check them against by it, so poison that is valid JSON with
 * a key (the `wrong-type` kind) is caught without a --schema file.
 */
export const TEMPLATE_ATTRIBUTE = 'sqsops.template';

export const templateMark = (t: EventTemplate): string => `${t.name}@${t.version}`;

/** The template a mark names, if this build ships that template at that version. */
export function templateOfMark(mark: string | undefined): EventTemplate | undefined {
  const [name, version] = (mark ?? '').split('@');
  const t = name ? TEMPLATES[name] : undefined;
  return t && String(t.version) === version ? t : undefined;
}

/** The kinds of poison `--invalid` injects: each must fail JSON parsing or validation. */
export const POISON_KINDS = ['truncated-json', 'not-json', 'missing-key', 'wrong-type'] as const;
export type PoisonKind = (typeof POISON_KINDS)[number];

/** A body a consumer must reject, derived from a valid event so it looks realistic. */
export function poisonBody(kind: PoisonKind, valid: Record<string, unknown>, keyField: string): string {
  switch (kind) {
    case 'truncated-json': {
      const json = JSON.stringify(valid);
      return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
    }
    case 'not-json':
      return `ORDER ${String(valid[keyField])} total=${String(valid.total)}`;
    case 'missing-key': {
      const { [keyField]: _dropped, ...rest } = valid;
      return JSON.stringify(rest);
    }
    case 'wrong-type':
      return JSON.stringify({ ...valid, total: 'twelve euros', items: 'none' });
  }
}
