import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARS, defaultNames, DEFAULTS } from '../../src/config.js';

const root = new URL('../../', import.meta.url);

describe('configuration', () => {
  it('lists every environment variable in .env.example with a comment', () => {
    const example = readFileSync(new URL('.env.example', root), 'utf8');
    for (const v of ENV_VARS) {
      expect(example, v.name).toMatch(new RegExp(`# ${v.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*\\n# ${v.name}=`));
    }
  });

  it('documents every environment variable in docs/configuration.md', () => {
    const readme = readFileSync(new URL('docs/configuration.md', root), 'utf8');
    for (const v of ENV_VARS) expect(readme, v.name).toContain(`\`${v.name}\``);
  });

  it('takes resource names from SQSOPS_* and falls back to the defaults', () => {
    expect(defaultNames({})).toEqual({ queue: DEFAULTS.queue, ledgerTable: DEFAULTS.ledgerTable, bucket: DEFAULTS.bucket });
    expect(defaultNames({ SQSOPS_QUEUE: 'q', SQSOPS_LEDGER_TABLE: ' t ', SQSOPS_BUCKET: '' }).queue).toBe('q');
    expect(defaultNames({ SQSOPS_LEDGER_TABLE: ' t ' }).ledgerTable).toBe('t');
    expect(defaultNames({ SQSOPS_BUCKET: '' }).bucket).toBe(DEFAULTS.bucket);
  });
});
