/**
 * `sqsops completion bash|zsh|fish`: the scripts the built CLI prints, loaded into the real
 * shells and asked for completions as each shell asks (bash: the function `complete -F`
 * names, with COMP_WORDS; fish: `complete -C`; zsh: its bashcompinit layer, whose own
 * matcher filters by prefix, so it is asked for the candidates). zsh and fish are optional
 * here: without them those cases say they skipped, unless SQSOPS_REQUIRE_SHELLS=1 (.ci/run).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { buildProgram } from '../../src/cli/program.js';

let dir: string;
const script = (shell: string) => {
  const r = spawnSync(process.execPath, [BIN, 'completion', shell], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const file = join(dir, `sqsops.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
};

const has = (shell: string) => spawnSync(shell, ['-c', 'true']).status === 0;
function need(shell: string, ctx: { skip: () => void }): void {
  if (has(shell)) return;
  if (process.env.SQSOPS_REQUIRE_SHELLS === '1') throw new Error(`SQSOPS_REQUIRE_SHELLS=1 but ${shell} is not installed`);
  console.log(`completion.test.ts: ${shell} cases skipped: ${shell} is not installed (apt-get install ${shell})`);
  ctx.skip();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sqsops-completion-'));
  mkdirSync(join(dir, 'in box'));
  writeFileSync(join(dir, 'orders.ndjson'), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bash', () => {
  /** What bash offers for the words typed so far (the last one being completed). */
  function complete(file: string, ...words: string[]): string[] {
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const r = spawnSync(
      'bash',
      ['-c', `source ${file}; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _sqsops; printf '%s\\n' "\${COMPREPLY[@]}"`],
      { encoding: 'utf8', cwd: dir },
    );
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean);
  }

  it('registers itself with complete -F and offers every command of the program', () => {
    const file = script('bash');
    expect(spawnSync('bash', ['-c', `source ${file}; complete -p sqsops`], { encoding: 'utf8' }).stdout).toBe(
      'complete -o default -F _sqsops sqsops\n',
    );
    const all = buildProgram(async () => undefined).commands.map((c) => c.name());
    expect(complete(file, 'sqsops', '')).toEqual(all);
  });

  it.each([
    [
      ['sqsops', 'pro'],
      ['produce', 'process-sqs'],
    ],
    [
      ['sqsops', 'local', 'st'],
      ['start', 'stop', 'status'],
    ],
    [
      ['sqsops', '--region', 'eu-west-1', 'local', ''],
      ['start', 'stop', 'status', 'env', 'reset'],
    ],
    [['sqsops', 'produce', '--que'], ['--queue']],
    [['sqsops', 'produce', '--queue', 'local', '--cou'], ['--count']],
    [
      ['sqsops', '--output', ''],
      ['table', 'json', 'ndjson'],
    ],
    [['sqsops', 'show', '--output', 'j'], ['json']],
    [
      ['sqsops', 'show', '--status', ''],
      ['COMPLETED', 'INPROGRESS', 'RELEASED'],
    ],
    [['sqsops', 'consume', '--out', 'or'], ['orders.ndjson']],
    [['sqsops', 'consume', '--out', 'in'], ['in box']],
    [['sqsops', 'local', 'start', '--idle'], ['--idle-minutes']],
  ])('%j offers %j', (words, expected) => {
    expect(complete(script('bash'), ...words)).toEqual(expected);
  });
});

describe('fish', () => {
  it('completes commands, subcommands, options and choices', (ctx) => {
    need('fish', ctx);
    const file = script('fish');
    const ask = (line: string) =>
      spawnSync('fish', ['--no-config', '-c', `source ${file}; complete -C '${line}'`], { encoding: 'utf8', cwd: dir })
        .stdout.split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]);
    expect(ask('sqsops pro')).toEqual(['process-sqs', 'produce']);
    expect(ask('sqsops local s')).toEqual(['start', 'status', 'stop']);
    expect(ask('sqsops show --status ')).toEqual(['COMPLETED', 'INPROGRESS', 'RELEASED']);
    expect(ask('sqsops produce --cou')).toEqual(['--count']);
  });
});

describe('zsh', () => {
  it('registers through bashcompinit and hands zsh the right candidates', (ctx) => {
    need('zsh', ctx);
    const file = script('zsh');
    const r = spawnSync(
      'zsh',
      [
        '-fc',
        `autoload -U +X compinit && compinit -u -d ${dir}/zcompdump; source ${file}; print -r -- "$_comps[sqsops]";` +
          ` emulate sh -c 'COMP_WORDS=(sqsops local st); COMP_CWORD=2; _sqsops; printf "%s\\n" "\${COMPREPLY[@]}"'`,
      ],
      { encoding: 'utf8', cwd: dir },
    );
    expect(r.stderr).toBe('');
    const [registered, ...candidates] = r.stdout.split('\n').filter(Boolean);
    expect(registered).toBe('_bash_complete -o default -F _sqsops');
    // zsh's own matcher filters these by the typed prefix.
    expect(candidates).toEqual(['start', 'stop', 'status', 'env', 'reset']);
  });
});

describe('completion with no shell or another shell', () => {
  it('says which shells it knows, exit 2', () => {
    const r = spawnSync(process.execPath, [BIN, 'completion', 'tcsh'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('error: completion needs a shell: bash, zsh, fish, not "tcsh"\nhint: e.g. eval "$(sqsops completion bash)"\n');
  });
});
