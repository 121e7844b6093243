import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

/**
 * The names commander imports from each built-in (a new one fails the build: add it here).
 * `lazy`: loaded on first use; commander spawns a child only for executable subcommands (we have none).
 */
const COMMANDER_BUILTINS: Record<string, { named: string[]; lazy?: boolean }> = {
  'node:events': { named: ['EventEmitter'] },
  'node:util': { named: ['stripVTControlCharacters'] },
  'node:child_process': { named: [], lazy: true },
  'node:path': { named: [] },
  'node:fs': { named: [] },
  'node:process': { named: [] },
};

function builtinModule(name: string, { named, lazy }: { named: string[]; lazy?: boolean }): string {
  const get = `process.getBuiltinModule(${JSON.stringify(name)})`;
  const lines = lazy
    ? [`export default new Proxy({}, { get: (_, key) => ${get}[key] });`]
    : [`const m = ${get};`, 'export default m;', ...named.map((n) => `export const ${n} = m.${n};`)];
  return lines.join('\n');
}

/**
 * commander, bundled into the CLI, takes Node's built-ins from process.getBuiltinModule(): an ESM
 * import of a built-in builds its whole namespace, which runs every lazy getter on it (node:fs
 * loads fs/promises and the streams, node:process the report and worker modules), and
 * node:child_process brings net and dgram: together most of what `sqsops --help` cost beyond
 * Node's own start.
 */
const commanderBuiltins: Plugin = {
  name: 'commander-builtins',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: args.path, namespace: 'builtin' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
      const spec = COMMANDER_BUILTINS[args.path];
      if (!spec) return { errors: [{ text: `commander imports ${args.path}: add it to COMMANDER_BUILTINS in tsup.config.ts` }] };
      if (spec.lazy && spec.named.length) return { errors: [{ text: `${args.path}: a lazy built-in has no named imports` }] };
      return { contents: builtinModule(args.path, spec), loader: 'js' };
    });
  },
};

export default defineConfig([
  {
    // The CLI, the library and the local AWS daemon share chunks; every dependency but
    // commander stays external and is imported lazily by the code that needs it. commander,
    // which every run of the CLI loads, is bundled: one file, its built-ins taken cheaply.
    entry: {
      cli: 'src/cli/bin.ts',
      index: 'src/index.ts',
      testing: 'src/testing.ts',
      core: 'src/core.ts',
      localDaemon: 'src/local/daemon.ts',
    },
    format: ['esm'],
    target: 'node22',
    platform: 'node',
    splitting: true,
    noExternal: ['commander'],
    esbuildPlugins: [commanderBuiltins],
    // Keep `node:` on built-in imports: `node:sqlite` (the daemon counts what it will load)
    // exists only under that name, and tsup would strip it.
    removeNodeProtocol: false,
    // Maps of our own code only (dependencies stay external): small, and they let a user's
    // stack trace under --enable-source-maps name src/ lines in a bug report.
    sourcemap: true,
    clean: true,
    dts: { entry: { index: 'src/index.ts', testing: 'src/testing.ts', core: 'src/core.ts' } },
  },
  {
    // The Lambda handler: one self-contained file (dependencies bundled), so a zip of
    // dist/lambda.js is the whole deployment. Database drivers stay external (and lazy):
    // add them to the function (or a layer) only if you use those sinks. CloudWatch is read
    // only by `stats`, never by the handler (and the Lambda runtime ships the SDK anyway).
    entry: { lambda: 'src/lambda.ts' },
    format: ['esm'],
    target: 'node22',
    platform: 'node',
    splitting: false,
    // Its map (3 MB, mostly the bundled AWS SDK) is for the deployment zip, where
    // NODE_OPTIONS=--enable-source-maps uses it; package.json's "files" keeps it out of the npm tarball.
    sourcemap: true,
    clean: false,
    noExternal: [/^(?!mongodb$|mssql$|@aws-sdk\/client-cloudwatch$).*/],
    external: ['mongodb', 'mssql', '@aws-sdk/client-cloudwatch'],
    // Bundled CommonJS dependencies need require() in an ES module.
    banner: { js: "import { createRequire as __sqsopsRequire } from 'node:module'; const require = __sqsopsRequire(import.meta.url);" },
  },
]);
