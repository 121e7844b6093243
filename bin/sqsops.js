#!/usr/bin/env node
// Tiny shim: check the runtime, then load the built CLI.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  // Inside a clone the repository's own Node 24 (a devDependency) is one `npx` away; an installed package needs a newer Node.
  const { existsSync } = await import('node:fs');
  const inRepo = existsSync(new URL('../src/cli/main.ts', import.meta.url));
  const hint = inRepo
    ? 'inside the sqsops repository, run it with npx (it uses the bundled Node 24)'
    : 'install Node.js 22.12 or later (https://nodejs.org)';
  process.stderr.write(`error: sqsops needs Node.js >= 22.12; this is ${process.version}\nhint: ${hint}\n`);
  process.exit(2);
}
// Reuse V8's compiled code across runs (Node >= 22.1): start-up is most of a short command.
// The cache lives in the user's own state dir (0700), never in a shared /tmp folder another
// user could fill with code for us to run. Without a writable home it is simply not used.
// (./.env is read later, by the CLI: a SQSOPS_HOME set only there leaves the cache in ~/.sqsops.)
// Built-ins through getBuiltinModule: an import() of one builds its whole namespace, running its lazy getters.
const builtin = (name) => process.getBuiltinModule(name);
const { enableCompileCache } = builtin('node:module');
if (enableCompileCache) {
  const [{ mkdirSync }, { homedir }, { join, resolve }] = [builtin('node:fs'), builtin('node:os'), builtin('node:path')];
  const configured = process.env.SQSOPS_HOME?.trim();
  const cache = join(configured ? resolve(configured) : join(homedir(), '.sqsops'), 'cache', 'compile');
  try {
    mkdirSync(cache, { recursive: true, mode: 0o700 });
    enableCompileCache(cache);
  } catch {
    // a read-only or missing home: run without the cache
  }
}
await import('../dist/cli.js');
