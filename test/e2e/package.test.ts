/**
 * The package as users get it: `npm pack`, then `npm install <tarball>` into an empty
 * folder (from the npm registry, as a user would), then the installed CLI runs produce,
 * consume and process-sqs on the local AWS, and a TypeScript file that imports the
 * library type-checks against the installed types and runs. The optional database
 * drivers are not installed, and a sink that needs one says which package to add.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, ROOT, type CliResult } from '../helpers/cli.js';

const NODE = process.execPath; // node 24 under `npx vitest` (the node@24 devDependency)
const NPM_ENV = { ...process.env, PATH: `${dirname(NODE)}:${process.env.PATH}` };
let dir: string;
let app: string;
let home: string;

function run(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const bin = join(app, 'node_modules/sqsops/bin/sqsops.js');
    const env = cleanEnv({ SQSOPS_HOME: home, SQSOPS_LOCAL_PORT: '0', SQSOPS_LOCAL_IDLE_MINUTES: '10' });
    const child = spawn(NODE, [bin, ...args], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Bytes under a folder (what `du` counts, without following links). */
function bytesUnder(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) total += bytesUnder(p);
    else if (entry.isFile()) total += statSync(p).size;
  }
  return total;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sqsops-package-'));
  app = join(dir, 'app');
  home = join(dir, 'home');
  mkdirSync(app);
  mkdirSync(home);
  const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, env: NPM_ENV, encoding: 'utf8', stdio: 'pipe' });
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], ROOT)) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
  }[];
  const tarball = packed[0]!;
  const mb = (bytes: number) => (bytes / 1e6).toFixed(2);
  console.log(`package: tarball ${mb(tarball.size)} MB, unpacked ${mb(tarball.unpackedSize)} MB, ${tarball.files.length} files`);
  const files = tarball.files.map((f) => f.path);
  const expected = [
    'LICENSE',
    'bin/sqsops.js',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/testing.d.ts',
    'dist/core.d.ts',
    'dist/lambda.js',
  ];
  expect(files).toEqual(expect.arrayContaining(expected));
  expect(files).not.toContain('dist/lambda.js.map');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'sqsops-user', private: true, type: 'module' }));
  npm(['install', '--no-audit', '--no-fund', '--loglevel=error', join(dir, tarball.filename)], app);
  const installed = npm(['ls', '--all', '--parseable'], app).trim().split('\n').length - 1;
  console.log(`package: installed ${installed} packages, ${(bytesUnder(join(app, 'node_modules')) / 1e6).toFixed(0)} MB in node_modules`);
}, 600_000);

afterAll(async () => {
  if (app && existsSync(join(app, 'node_modules/sqsops'))) await run(['local', 'stop']);
  rmSync(dir, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('leaves the optional database drivers out', () => {
    expect(existsSync(join(app, 'node_modules/sqsops'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/mongodb'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/mssql'))).toBe(false);
  });

  it('produces, consumes and processes on the local AWS, and every count adds up', async () => {
    const produced = await run(['produce', '--count', '20', '--json']);
    expect(produced.code, produced.stderr).toBe(0);
    expect(JSON.parse(produced.stdout)).toMatchObject({ total: 20, sent: 20, failed: [] });
    const consumed = await run(['consume', '--count', '5', '--json']);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(JSON.parse(consumed.stdout)).toMatchObject({ recorded: 5, deleted: 5, failed: 0 });
    const processed = await run(['process-sqs', '--key', 'orderId', '--drain', '--wait', '1', '--json']);
    expect(processed.code, processed.stderr).toBe(0);
    expect(JSON.parse(processed.stdout).metrics).toMatchObject({ MessagesReceived: 15, MessagesSaved: 15, MessagesDeleted: 15 });
  });

  it('says which package a database sink needs when its driver is not installed', async () => {
    const r = await run(['process-sqs', '--sink', 'mongodb', '--mongodb-url', 'mongodb://u:secret@127.0.0.1:1/', '--drain', '--wait', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: the mongodb sink needs the "mongodb" package, which is not installed$/m);
    expect(r.stderr).toMatch(/^hint: .*npm install mongodb/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain('secret');
  });

  it('imports as a library with its types: a typed file checks and runs, a mistyped one is refused', () => {
    const good = [
      "import { UsageError, ExitCode, type ProduceOptions, type SinkResult } from 'sqsops';",
      "import { compileKey, planBatches } from 'sqsops/core';",
      "import { startLocalAws } from 'sqsops/testing';",
      "const key = compileKey('orderId');",
      "const r = key({ messageId: 'm1', body: { orderId: 'A-1' } } as Parameters<typeof key>[0]);",
      "const e: UsageError = new UsageError('bad flag', { hint: 'fix it' });",
      'const none: SinkResult = { succeeded: [], failed: [] };',
      'const opts: Partial<ProduceOptions> = {};',
      'const subpaths = [typeof planBatches, typeof startLocalAws];',
      'console.log(JSON.stringify({ r, exit: e.exitCode === ExitCode.usage, subpaths, none, opts }));',
    ].join('\n');
    writeFileSync(join(app, 'good.ts'), `${good}\n`);
    writeFileSync(join(app, 'bad.ts'), "import { UsageError } from 'sqsops';\nconst e: UsageError = new UsageError(42);\nexport { e };\n");
    // Internals are not the public API: a name only the core subpath exports is refused on the main entry.
    writeFileSync(join(app, 'internal.ts'), "import { planBatches } from 'sqsops';\nexport { planBatches };\n");
    const tsconfig = {
      compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022' },
      // The user's @types/node: the package's declarations name Node's types.
      nodeTypes: { typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'] },
    };
    // The good file checks the package's .d.ts too; the bad one only needs its own error (skipLibCheck saves ~25 s).
    const check = (file: string, skipLibCheck = false) => {
      const options = { ...tsconfig.compilerOptions, ...tsconfig.nodeTypes, skipLibCheck };
      writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: [file] }));
      try {
        const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
        execFileSync(NODE, [tsc, '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8', stdio: 'pipe' });
        return { code: 0, out: '' };
      } catch (e: unknown) {
        const err = e as { status: number; stdout: string };
        return { code: err.status, out: err.stdout };
      }
    };
    expect(check('good.ts')).toEqual({ code: 0, out: '' });
    const bad = check('bad.ts', true);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/bad\.ts.*TS2345.*number.*string/);
    const internal = check('internal.ts', true);
    expect(internal.code).not.toBe(0);
    expect(internal.out).toMatch(/internal\.ts.*TS2305.*planBatches/);
    // Node 24 strips the types and runs the file against the installed package.
    const out = execFileSync(NODE, ['good.ts'], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const none = { succeeded: [], failed: [] };
    expect(JSON.parse(out)).toEqual({ r: { ok: true, key: 'A-1' }, exit: true, subpaths: ['function', 'function'], none, opts: {} });
  }, 300_000); // tsc reads the AWS SDK's declarations: a minute on a loaded two-core machine
});
