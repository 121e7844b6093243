/**
 * Starts, finds, stops and resets the embedded local AWS daemon for a state dir.
 * Every command that targets the local AWS calls `ensureLocalAws`: the first one
 * starts the daemon, the others (in this or another terminal) find it running.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { existsSync, openSync, closeSync, readFileSync, rmSync, accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { localPaths } from './paths.js';
import { isAlive, tryLock } from './locks.js';
import type { ServerFile } from './daemon.js';
import { LocalAwsError } from '../core/errors.js';
import { loadOrCreateCredentials, type LocalCredentials } from './credentials.js';
import { makePrivateDir, tightenHome } from './privacy.js';
import { isLocalDaemon, lockedPid, runningDaemonPid } from './daemonProcess.js';

export type { ServerFile } from './daemon.js';

export interface EnsureLocalOptions {
  home: string;
  /** @default 4577 */
  port?: number;
  /** Minutes without a request after which an auto-started daemon exits; 0 = never. @default 30 */
  idleMinutes?: number;
  /** The built daemon script. @default dist/localDaemon.js beside this module */
  daemonPath?: string;
  /** How long to wait for a start. @default 20000 */
  timeoutMs?: number;
}

export const DEFAULT_LOCAL_PORT = 4577;

function defaultDaemonPath(): string {
  return fileURLToPath(new URL('./localDaemon.js', import.meta.url));
}

function readServerFile(path: string): ServerFile | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ServerFile;
  } catch {
    return undefined;
  }
}

/**
 * True when `endpoint` is answered by the process `pid` (not some other server on a reused port).
 * node:http, not fetch: every command that targets the local AWS asks this first, and
 * loading fetch's stack (undici, http2) cost a fresh CLI process tens of milliseconds.
 */
function healthy(endpoint: string, pid: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${endpoint}/_sqsops/health`, { timeout: 2000, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 && (JSON.parse(text) as { pid?: number }).pid === pid);
        } catch {
          resolve(false);
        }
      });
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** The running daemon for this state dir, if there is one that answers. */
export async function findLocalAws(home: string): Promise<ServerFile | undefined> {
  const info = readServerFile(localPaths(home).serverFile);
  if (!info || !Number.isInteger(info.pid) || typeof info.endpoint !== 'string' || !isAlive(info.pid)) return undefined;
  return (await healthy(info.endpoint, info.pid)) ? info : undefined;
}

/** The credentials every client of this state dir's local AWS signs with (created on first use). */
export function localCredentials(home: string): LocalCredentials {
  return loadOrCreateCredentials(localPaths(home).credentials);
}

function ensureWritable(home: string, dir: string): void {
  try {
    makePrivateDir(home);
    makePrivateDir(dir);
    accessSync(dir, constants.W_OK);
  } catch (e: unknown) {
    throw new LocalAwsError(`state dir ${dir} is not writable (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'set SQSOPS_HOME to a folder you can write to',
      cause: e,
    });
  }
}

function lastFatal(logPath: string): { message: string; hint?: string } | undefined {
  try {
    const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n');
    const line = lines.reverse().find((l) => l.startsWith('FATAL '));
    return line ? (JSON.parse(line.slice(6)) as { message: string; hint?: string }) : undefined;
  } catch {
    return undefined;
  }
}

export interface EnsuredLocalAws {
  server: ServerFile;
  /** Whether this call started the daemon. */
  started: boolean;
  /** Entries of the state dir made private before the start (they were open to other users). */
  tightened: number;
}

/** Starts the daemon unless one is already running; returns it and whether we started it. */
export async function ensureLocalAws(options: EnsureLocalOptions): Promise<EnsuredLocalAws> {
  const { home, port = DEFAULT_LOCAL_PORT, idleMinutes = 30, timeoutMs = 20_000 } = options;
  const paths = localPaths(home);
  const running = await findLocalAws(home);
  if (running) return { server: running, started: false, tightened: 0 };
  ensureWritable(home, paths.root);

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const release = tryLock(paths.startLock, timeoutMs);
    if (!release) {
      // Another command is starting it: wait for that one.
      await sleep(100);
      const found = await findLocalAws(home);
      if (found) return { server: found, started: false, tightened: 0 };
      continue;
    }
    try {
      const found = await findLocalAws(home);
      if (found) return { server: found, started: false, tightened: 0 };
      // A daemon that holds its lock but cannot be found (server.json corrupt or deleted,
      // or it stopped answering) would refuse every new start: stop it, then start afresh.
      const stuck = runningDaemonPid(home);
      if (stuck !== undefined) await stopPid(stuck, 5_000);
      // A lock left by a daemon that died, whose pid now belongs to another program.
      else if (lockedPid(home) !== undefined) rmSync(paths.daemonLock, { force: true });
      const tightened = tightenHome(home);
      localCredentials(home);
      const server = await spawnDaemon(options.daemonPath ?? defaultDaemonPath(), home, port, idleMinutes, deadline);
      return { server, started: true, tightened };
    } finally {
      release();
    }
  }
  throw new LocalAwsError(`the local AWS did not start within ${Math.round(timeoutMs / 1000)} s`, {
    hint: `see ${paths.log}`,
  });
}

async function spawnDaemon(daemonPath: string, home: string, port: number, idleMinutes: number, deadline: number): Promise<ServerFile> {
  const paths = localPaths(home);
  if (!existsSync(daemonPath)) {
    throw new LocalAwsError(`the local AWS daemon is missing at ${daemonPath}`, { hint: 'run `npm run build`' });
  }
  rmSync(paths.serverFile, { force: true });
  const log = openSync(paths.log, 'a', 0o600);
  let exited: number | null | undefined;
  const child = spawn(process.execPath, [daemonPath, '--home', home, '--port', String(port), '--idle-minutes', String(idleMinutes)], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  closeSync(log);
  child.on('exit', (code) => {
    exited = code;
  });
  child.unref();
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      const why = lastFatal(paths.log);
      throw new LocalAwsError(why?.message ?? `the local AWS exited at start (code ${exited})`, {
        hint: why?.hint ?? `see ${paths.log}`,
      });
    }
    const info = readServerFile(paths.serverFile);
    if (info && info.pid === child.pid && (await healthy(info.endpoint, info.pid))) return info;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new LocalAwsError('the local AWS did not answer in time', { hint: `see ${paths.log}` });
}

/** SIGTERM, then SIGKILL after `graceMs`; the caller has checked `pid` is our daemon. */
async function stopPid(pid: number, graceMs: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(20);
}

/**
 * Stops the daemon of this state dir, found by its lock (or server.json) and signalled only
 * once its command line shows it is that daemon.
 */
export async function stopLocalAws(home: string, graceMs = 10_000): Promise<{ stopped: boolean; pid?: number }> {
  const paths = localPaths(home);
  const candidates = [lockedPid(home), readServerFile(paths.serverFile)?.pid].filter((p): p is number => Number.isInteger(p));
  const pid = candidates.find((p) => isLocalDaemon(p, home));
  if (pid === undefined) return { stopped: false };
  await stopPid(pid, graceMs);
  // A killed daemon leaves its files behind; the next start takes them over, but tidy up.
  rmSync(paths.serverFile, { force: true });
  return { stopped: true, pid };
}

/** Stops the daemon and deletes every queue, message, table and object it kept. */
export async function resetLocalAws(home: string): Promise<{ stopped: boolean; removed: string }> {
  const { stopped } = await stopLocalAws(home);
  const paths = localPaths(home);
  rmSync(paths.data, { recursive: true, force: true });
  return { stopped, removed: paths.data };
}
