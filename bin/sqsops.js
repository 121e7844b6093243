#!/usr/bin/env node
// Tiny shim: check the runtime, then load the built CLI.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`error: sqsops needs Node.js >= 22.12; this is ${process.version}\nhint: inside the sqsops repository, run it with npx (it uses the bundled Node 24)\n`);
  process.exit(2);
}
// Reuse V8's compiled code across runs (Node >= 22.1): start-up is most of a short command.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../dist/cli.js');
