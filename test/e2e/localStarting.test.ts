/**
 * A daemon between taking its lock and listening (booting, counting what it stored) is
 * starting, not hung: `local status` says "starting", never "not answering ... the next
 * command restarts it". The daemon here is a stand-in at the edge (a process that takes the
 * lock and writes the daemon's STARTING line, then waits): the window is too short to hit on
 * purpose with the real one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localPaths } from '../../src/local/paths.js';
import { startingDaemon } from '../../src/local/manager.js';
import { newHome, parseJson, type CliHome } from '../helpers/cli.js';

let cli: CliHome;
let stand: ChildProcess;

/** Named as tsup names the daemon entry, with `--home`: what the lock's pid is checked against. */
const STAND_IN = `
const [home] = process.argv.slice(process.argv.indexOf('--home') + 1);
const fs = require('node:fs');
fs.writeFileSync(process.env.LOCK, String(process.pid), { flag: 'wx' });
fs.appendFileSync(process.env.LOG, 'STARTING ' + JSON.stringify({ pid: process.pid, at: new Date().toISOString() }) + '\\n');
process.stdout.write('ready ' + home + '\\n');
setInterval(() => {}, 1000);
`;

beforeAll(async () => {
  cli = newHome();
  const paths = localPaths(cli.home);
  mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  const script = join(cli.home, 'localDaemon.js');
  writeFileSync(script, STAND_IN, 'utf8');
  writeFileSync(join(cli.home, 'package.json'), '{"type":"commonjs"}');
  stand = spawn(process.execPath, [script, '--home', cli.home], { env: { ...process.env, LOCK: paths.daemonLock, LOG: paths.log } });
  await new Promise<void>((resolve) => stand.stdout!.once('data', () => resolve()));
});
afterAll(() => {
  stand.kill('SIGKILL');
  cli.cleanup();
});

describe('a local AWS that holds its lock but does not listen yet', () => {
  it('is starting, for the manager and for local status (text and JSON)', async () => {
    expect(startingDaemon(cli.home)).toMatchObject({ pid: stand.pid });
    const text = await cli.run(['local', 'status']);
    expect(text.stdout.trim()).toMatch(new RegExp(`^starting: daemon pid ${stand.pid} \\(since \\S+\\)$`));
    const json = parseJson<{ running: boolean; starting?: { pid: number } }>((await cli.run(['local', 'status', '--json'])).stdout);
    expect(json).toMatchObject({ running: false, starting: { pid: stand.pid } });
  });

  it('is no longer starting once it has listened: then it is one that stopped answering', async () => {
    appendFileSync(localPaths(cli.home).log, `${new Date().toISOString()} listening on http://127.0.0.1:1 (pid ${stand.pid})\n`);
    expect(startingDaemon(cli.home)).toBeUndefined();
    const text = await cli.run(['local', 'status']);
    expect(text.stdout.trim()).toMatch(new RegExp(`^not answering: daemon pid ${stand.pid} holds `));
    expect(existsSync(localPaths(cli.home).daemonLock)).toBe(true);
  });
});
