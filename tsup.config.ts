import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The CLI, the library and the local AWS daemon share chunks; every dependency
    // stays external and is imported lazily by the code that needs it.
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
