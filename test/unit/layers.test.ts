/**
 * The map of src/ in docs/development.md, checked: every relative import of every
 * src file must go down the layers (core <- aws/local <- runtime/pipeline <- features <- cli), and a feature may
 * use only the other features listed for it. A new arrow is a decision: add it here and in
 * docs/development.md together.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const SRC = join(ROOT, 'src');
// The root constants (defaults, env names, version) are pure: any layer may read them.
const CONSTANTS = ['root:config.ts', 'root:version.ts'];

/** Which layers each layer may import (besides itself and the root constants). */
const ALLOWED: Record<string, string[]> = {
  core: [],
  local: ['core'],
  // The adapters see an endpoint and credentials only: whether that is the embedded local AWS is runtime's business.
  aws: ['core'],
  // connect(): the one place that starts the local AWS for a target and opens clients on it.
  runtime: ['core', 'aws', 'local'],
  // What several commands share: opening resources, converging a topology, reading a message in,
  // sending received messages on, the sink port, the export file, large payloads.
  pipeline: ['core', 'aws'],
  cli: ['core', 'aws', 'local', 'runtime', 'pipeline', 'features/*'],
  // runtime: the OpenTelemetry adapter, imported only when tracing is on.
  'root:lambda.ts': ['core', 'aws', 'runtime', 'pipeline', 'features/process'],
  // The public entries re-export: they may reach anything but the CLI.
  'root:index.ts': ['core', 'aws', 'local', 'runtime', 'pipeline', 'features/*', 'root:nodeVersion.ts'],
  'root:testing.ts': ['core', 'aws', 'local', 'runtime'],
  'root:core.ts': ['core'],
  'root:nodeVersion.ts': [],
  // The version is read from package.json, outside src/.
  'root:version.ts': ['..'],
};

/** Features stand on the pipeline layer; these are the only arrows between features. */
const FEATURE_DEPS: Record<string, string[]> = {
  stats: [],
  download: [],
  purge: [],
  ledger: [],
  move: [],
  produce: [],
  consume: [],
  tail: [],
  // process wires task sets into its sinks; tasks implement the sink port and run as a process sink.
  process: ['tasks'],
  tasks: ['process'],
  // load runs process-sqs workers.
  load: ['process'],
};

function layerOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  if (parts.length === 1) return `root:${parts[0]}`;
  if (parts[0] === 'features') return `features/${parts[1]}`;
  return parts[0]!;
}

// biome-ignore lint/suspicious/noExportsInTest: the rule is exported so its own cases below can call it by name
export function mayImport(from: string, to: string): boolean {
  if (from === to || CONSTANTS.includes(to)) return true;
  if (from.startsWith('features/')) {
    if (to === 'core' || to === 'aws' || to === 'local' || to === 'pipeline') return true;
    return to.startsWith('features/') && (FEATURE_DEPS[from.slice(9)] ?? []).includes(to.slice(9));
  }
  const allowed = ALLOWED[from] ?? [];
  return allowed.includes(to) || (allowed.includes('features/*') && to.startsWith('features/'));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/\bfrom\s+'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)|^import\s+'(\.[^']+)'/gm)];
  return found.map((m) => resolve(dirname(file), (m[1] ?? m[2] ?? m[3])!.replace(/\.js$/, '.ts')));
}

describe('the layers of src/', () => {
  const files = sourceFiles(SRC);

  it('reads every source file and its imports', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap(relativeImports).length).toBeGreaterThan(300);
  });

  it('knows every feature folder', () => {
    const features = readdirSync(join(SRC, 'features')).filter((n) => statSync(join(SRC, 'features', n)).isDirectory());
    expect(features.filter((f) => !(f in FEATURE_DEPS))).toEqual([]);
  });

  it('refuses the arrows that break the map', () => {
    expect(mayImport('core', 'aws')).toBe(false);
    expect(mayImport('aws', 'features/process')).toBe(false);
    expect(mayImport('aws', 'local')).toBe(false);
    expect(mayImport('features/process', 'runtime')).toBe(false);
    expect(mayImport('features/stats', 'cli')).toBe(false);
    expect(mayImport('features/stats', 'features/process')).toBe(false);
    expect(mayImport('root:lambda.ts', 'cli')).toBe(false);
    expect(mayImport('pipeline', 'features/process')).toBe(false);
    expect(mayImport('pipeline', 'runtime')).toBe(false);
    expect(mayImport('features/produce', 'pipeline')).toBe(true);
    expect(mayImport('features/consume', 'features/process')).toBe(false);
  });

  it('has every import go down the layers', () => {
    const broken = files.flatMap((file) =>
      relativeImports(file)
        .filter((target) => !mayImport(layerOf(file), layerOf(target)))
        .map((target) => `${relative(SRC, file)} imports ${relative(SRC, target)} (${layerOf(file)} -> ${layerOf(target)})`),
    );
    expect(broken).toEqual([]);
  });
});
