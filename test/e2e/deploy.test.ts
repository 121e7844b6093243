/**
 * examples/deploy/template.yaml, the SAM template of the process-sqs Lambda: cfn-lint
 * accepts it (CI installs cfn-lint and sets SQSOPS_REQUIRE_CFN_LINT=1, so there a missing
 * linter fails instead of skipping), every variable it sets is one the handler reads (from
 * the config table and the code, not a list kept here), and its ledger table is the one
 * the ledger adapter writes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEDGER_KEY } from '../../src/aws/ledger.js';
import { ENV_VARS } from '../../src/config.js';
import { ROOT } from '../helpers/cli.js';

const TEMPLATE = join(ROOT, 'examples/deploy/template.yaml');
const template = readFileSync(TEMPLATE, 'utf8');

/** `cfn-lint` on PATH, else the module under python3 (pip's scripts folder is not always on PATH). */
function cfnLint(): string[] | undefined {
  for (const cmd of [['cfn-lint'], ['python3', '-m', 'cfnlint']]) {
    if (spawnSync(cmd[0]!, [...cmd.slice(1), '--version'], { encoding: 'utf8' }).status === 0) return cmd;
  }
  return undefined;
}

/** The keys of the block under `Variables:` (deeper-indented `NAME: value` lines). */
function templateVariables(yaml: string): string[] {
  const lines = yaml.split('\n');
  const at = lines.findIndex((l) => /^\s*Variables:\s*$/.test(l));
  if (at < 0) return [];
  const indent = lines[at]!.search(/\S/);
  const names: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (line.search(/\S/) <= indent) break;
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*):/.exec(line);
    if (m) names.push(m[1]!);
  }
  return names;
}

/** Every variable the handler can read: the config table, and any `env.NAME` the Lambda's config code reads directly. */
function variablesTheHandlerReads(): Set<string> {
  const names = new Set(ENV_VARS.map((v) => v.name));
  for (const file of ['src/lambda.ts', 'src/config.ts']) {
    const source = readFileSync(join(ROOT, file), 'utf8');
    for (const m of source.matchAll(/\benv(?:\.|\[['"])([A-Z][A-Z0-9_]+)/g)) names.add(m[1]!);
  }
  return names;
}

const lint = cfnLint();
const required = process.env.SQSOPS_REQUIRE_CFN_LINT === '1';
if (!lint && !required) console.log('skipped: cfn-lint on examples/deploy/template.yaml (install it: python3 -m pip install cfn-lint)');

describe('the SAM template of the Lambda', () => {
  it.skipIf(!lint && !required)('passes cfn-lint', () => {
    expect(lint, 'SQSOPS_REQUIRE_CFN_LINT=1 but cfn-lint is not installed (python3 -m pip install cfn-lint)').toBeDefined();
    const r = spawnSync(lint![0]!, [...lint!.slice(1), TEMPLATE], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('sets only variables the handler reads, and the ones it needs', () => {
    const set = templateVariables(template);
    const reads = variablesTheHandlerReads();
    expect(reads.has('SQSOPS_NOT_A_VARIABLE')).toBe(false);
    expect(set.filter((name) => !reads.has(name))).toEqual([]);
    expect(set).toEqual(expect.arrayContaining(['SQSOPS_SINKS', 'SQSOPS_LEDGER_TABLE', 'SQSOPS_BUCKET', 'SQSOPS_DLQ_URL']));
  });

  it('reports partial batch failures, and gives the ledger the key and TTL attribute the adapter writes', () => {
    expect(template).toMatch(/FunctionResponseTypes:\s*\n\s*- ReportBatchItemFailures/);
    expect(template).toMatch(/ScalingConfig:\s*\n\s*MaximumConcurrency:/);
    expect(template).toContain(`- AttributeName: ${LEDGER_KEY}\n          AttributeType: S`);
    expect(template).toContain(`- AttributeName: ${LEDGER_KEY}\n          KeyType: HASH`);
    expect(template).toMatch(/TimeToLiveSpecification:\s*\n\s*AttributeName: expiresAt\s*\n\s*Enabled: true/);
    expect(readFileSync(join(ROOT, 'src/aws/ledgerTable.ts'), 'utf8')).toContain("AttributeName: 'expiresAt'");
  });
});

describe('docs/lambda.md on deploying', () => {
  it("stages the bundle where the template's CodeUri and Handler look for it, and lints the template", () => {
    const page = readFileSync(join(ROOT, 'docs/lambda.md'), 'utf8');
    const staged = /cp dist\/lambda\.js examples\/deploy\/([^/\s]+)\/(\w+)\.mjs/.exec(page);
    expect(staged).not.toBeNull();
    expect(template).toMatch(new RegExp(`CodeUri: ${staged![1]!.replace('.', '\\.')}/\\n`));
    expect(template).toContain(`Handler: ${staged![2]}.handler`);
    expect(page).toContain('cfn-lint examples/deploy/template.yaml'); // what the cfn-lint test runs
  });
});

describe('templateVariables', () => {
  it('reads the keys of the Variables block and stops at its end', () => {
    const yaml = 'Environment:\n  Variables:\n    A_B: x\n    # note\n    C: !Ref D\n  Other:\n    E: y\n';
    expect(templateVariables(yaml)).toEqual(['A_B', 'C']);
  });
});
