import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The CLI, the library and the local AWS daemon share chunks; every heavy
    // dependency stays external and is imported lazily by the code that needs it.
    entry: {
      cli: 'src/cli/bin.ts',
      index: 'src/index.ts',
      localDaemon: 'src/local/daemon.ts',
    },
    format: ['esm'],
    target: 'node22',
    platform: 'node',
    splitting: true,
    sourcemap: true,
    clean: true,
    dts: { entry: { index: 'src/index.ts' } },
  },
]);
