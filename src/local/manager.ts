/**
 * Starts, finds, stops and resets the embedded local AWS daemon for a state dir.
 * Every command that targets the local AWS calls `ensureLocalAws`: the first one
 * starts the daemon, the others (in this or another terminal) find it running.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { existsSync, openSync, closeSync, readFileSync, rmSync, accessSync, constants, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { setTimeout as sleep } from 'node:timers/promises';
import { localPaths } from './paths.js';
import { isAlive, tryLock } from './locks.js';
import type { ServerFile } from './daemon.js';
import { AbortedError, LocalAwsError, UsageError } from '../core/errors.js';
import { parseIntFlag } from '../core/flags.js';
import { loadOrCreateCredentials, type LocalCredentials } from './credentials.js';
import { makePrivateDir, tightenHome } from './privacy.js';
import { isLocalDaemon, lockedPid, runningDaemonPid } from './daemonProcess.js';
import { DEFAULTS } from '../config.js';

export type { ServerFile } from './daemon.js';

export interface EnsureLocalOptions {
  home: string;
  /** @default DEFAULTS.localPort */
  port?: number;
  /** Minutes without a request after which an auto-started daemon exits; 0 = never. @default DEFAULTS.idleMinutes */
  idleMinutes?: number;
  /** The built daemon script. @default dist/localDaemon.js beside this module */
  daemonPath?: string;
  /** How long to wait for a start. @default 20000 */
  timeoutMs?: number;
  /**
   * Told once, in a sentence, when the start waits for the daemon to load a large stored
   * state (past `timeoutMs`, which then no longer applies: see `restoreBudgetMs`).
   */
  onWait?: (message: string) => void;
  /**
   * The daemon's JavaScript heap limit in MiB: fauxqs holds every stored message in memory
   * (about 1 KiB for a 600-byte body). @default `defaultLocalMemoryMb()`
   */
  memoryMb?: number;
  /** Ends the wait for a start (the daemon goes on starting, or loading, in the background). */
  signal?: AbortSignal;
}

/**
 * Half the machine's memory, or V8's own default limit where that is larger: V8 alone
 * would stop the daemon at about 4 GiB (some 4 million stored messages) on any machine.
 */
export function defaultLocalMemoryMb(): number {
  return Math.max(Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20), Math.floor(totalmem() / 2 ** 20 / 2));
}

/** Below this the daemon cannot even start (fauxqs, dynalite and the SDK's parsers live in that heap too). */
const MIN_LOCAL_MEMORY_MB = 64;

/** SQSOPS_LOCAL_MEMORY_MB: undefined (unset or 0) for the default, else at least 64 MiB. */
export function localMemoryFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.SQSOPS_LOCAL_MEMORY_MB?.trim();
  if (!raw) return undefined;
  const mb = parseIntFlag('SQSOPS_LOCAL_MEMORY_MB', raw, { min: 0, max: 1_048_576 });
  if (mb !== 0 && mb < MIN_LOCAL_MEMORY_MB) {
    throw new UsageError(`SQSOPS_LOCAL_MEMORY_MB must be 0 (half the machine's memory) or at least ${MIN_LOCAL_MEMORY_MB}, not "${raw}"`);
  }
  return mb || undefined;
}

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

/**
 * The daemon's log lines from the first one that starts with `after` (one start's own
 * lines: the log is kept across starts, and an old FATAL is not this start's reason).
 */
function logSince(logPath: string, after?: string): string[] {
  try {
    const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n');
    if (after === undefined) return lines;
    const from = lines.findIndex((l) => l.startsWith(after));
    return from < 0 ? [] : lines.slice(from);
  } catch {
    return [];
  }
}

/** The JSON of the last `TAG {json}` line (`FATAL`, `RESTORING`) in `lines`. */
function lastTagged<T>(lines: string[], tag: string): T | undefined {
  const line = lines.findLast((l) => l.startsWith(`${tag} {`));
  try {
    return line ? (JSON.parse(line.slice(tag.length + 1)) as T) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a daemon stopped before it listened, from its own log lines: its FATAL line, or
 * V8's when it ran out of memory (a stored state too large for its heap), or `fallback`.
 */
function exitReason(home: string, after: string, fallback: { message: string; hint: string }, memoryMb?: number): LocalAwsError {
  const log = localPaths(home).log;
  const lines = logSince(log, after);
  const fatal = lastTagged<{ message: string; hint?: string }>(lines, 'FATAL');
  if (fatal) return new LocalAwsError(fatal.message, { hint: fatal.hint ?? `see ${log}` });
  if (lines.some((l) => /JavaScript heap out of memory|Fatal JavaScript out of memory|Reached heap limit/.test(l))) {
    const limit = memoryMb ? ` (now ${memoryMb})` : '';
    return new LocalAwsError(`${fallback.message}: it ran out of memory`, {
      hint: `give it more with SQSOPS_LOCAL_MEMORY_MB in MiB${limit}, or empty it with \`sqsops local reset\``,
    });
  }
  return new LocalAwsError(fallback.message, { hint: fallback.hint });
}

/** Ends a wait when the user interrupts it: the daemon goes on in the background. */
function stopWaiting(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted)
    throw new AbortedError(`interrupted; the local AWS goes on ${what} in the background`, { hint: 'see `sqsops local status`' });
}

/** What the daemon said it was loading before it listens (its `RESTORING` line). */
export interface Restoring {
  pid: number;
  queues: number;
  messages: number;
  at: string;
}

/** The running daemon of this state dir between taking its lock and listening, if that is where it is. */
export function startingDaemon(home: string): { pid: number; at: string } | undefined {
  return beforeListening(home, 'STARTING');
}

/**
 * The last `tag` line (STARTING, RESTORING) the running daemon wrote in its current start, while
 * it has not listened yet: it writes server.json and a `listening on` line once it does (one
 * whose server.json is gone since then is not starting: it stopped answering).
 */
function beforeListening<T extends { pid: number }>(home: string, tag: string): T | undefined {
  const pid = runningDaemonPid(home);
  if (pid === undefined || readServerFile(localPaths(home).serverFile)?.pid === pid) return undefined;
  const log = localPaths(home).log;
  // Its start's own lines; a daemon of a version that wrote no STARTING line: the whole log.
  const since = logSince(log, `STARTING {"pid":${pid},`);
  const lines = since.length ? since : logSince(log);
  if (lines.some((l) => l.includes(' listening on ') && l.includes(`(pid ${pid}`))) return undefined;
  const r = lastTagged<T>(lines, tag);
  return r?.pid === pid ? r : undefined;
}

/** `2,801,000 stored messages in 282 queues`: what a loading daemon is loading, in words. */
export function loadingText(r: Restoring): string {
  return `${r.messages.toLocaleString('en-US')} stored messages in ${r.queues} queue${r.queues === 1 ? '' : 's'}`;
}

/** The running daemon of this state dir while it loads its stored state, if that is what it is doing. */
export function restoringDaemon(home: string): Restoring | undefined {
  return beforeListening<Restoring>(home, 'RESTORING');
}

/**
 * How long a daemon may take to load its stored messages. fauxqs loads them all into
 * memory before it listens; measured here at about 8 us a message (2.8 million in 21 s on
 * 2 cores), so 100 us a message, plus a minute, leaves room for a slow disk or a busy machine.
 */
export function restoreBudgetMs(messages: number): number {
  return 60_000 + messages / 10;
}

/** Waits for a daemon that is loading its stored state to answer, instead of killing it as hung. */
async function awaitRestore(
  home: string,
  r: Restoring,
  { onWait, signal }: Pick<EnsureLocalOptions, 'onWait' | 'signal'>,
): Promise<EnsuredLocalAws> {
  const paths = localPaths(home);
  const budget = restoreBudgetMs(r.messages);
  const deadline = (Date.parse(r.at) || Date.now()) + budget;
  const count = loadingText(r);
  onWait?.(`the local AWS is loading ${count} from disk; waiting for it (up to ${Math.ceil(budget / 1000)} s)`);
  while (Date.now() < deadline) {
    stopWaiting(signal, 'loading');
    const found = await findLocalAws(home);
    if (found) return { server: found, started: false, tightened: 0 };
    if (!isAlive(r.pid)) {
      throw exitReason(home, `RESTORING {"pid":${r.pid},`, {
        message: `the local AWS stopped while loading ${count}`,
        hint: 'it was stopped or killed (its log says no more); the next command starts it again',
      });
    }
    await sleep(200);
  }
  throw new LocalAwsError(`the local AWS is still loading ${count} after ${Math.round(budget / 1000)} s`, {
    hint: `it keeps loading in the background: retry in a minute (\`sqsops local stop\` stops it, \`sqsops local reset\` empties it); see ${paths.log}`,
  });
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
  const { home, port = DEFAULTS.localPort, idleMinutes = DEFAULTS.idleMinutes, timeoutMs = 20_000 } = options;
  const paths = localPaths(home);
  const running = await findLocalAws(home);
  if (running) return { server: running, started: false, tightened: 0 };
  ensureWritable(home, paths.root);

  const deadline = Date.now() + timeoutMs;
  // Checked once, a second in (its log is read whole): by then a daemon that loads has said so.
  const lookForRestore = Date.now() + 1000;
  let looked = false;
  while (Date.now() < deadline) {
    stopWaiting(options.signal, 'starting');
    const release = tryLock(paths.startLock, timeoutMs);
    if (!release) {
      // Another command is starting it: wait for that one (and say so if it is loading).
      await sleep(100);
      const found = await findLocalAws(home);
      if (found) return { server: found, started: false, tightened: 0 };
      if (!looked && Date.now() >= lookForRestore) {
        looked = true;
        const restoring = restoringDaemon(home);
        if (restoring) return await awaitRestore(home, restoring, options);
      }
      continue;
    }
    try {
      const found = await findLocalAws(home);
      if (found) return { server: found, started: false, tightened: 0 };
      // Started by a command that gave up waiting (or was interrupted), and still loading.
      const restoring = restoringDaemon(home);
      if (restoring) return await awaitRestore(home, restoring, options);
      // A daemon that holds its lock but cannot be found (server.json corrupt or deleted,
      // or it stopped answering) would refuse every new start: stop it, then start afresh.
      const stuck = runningDaemonPid(home);
      if (stuck !== undefined) await stopPid(stuck, 5_000);
      // A lock left by a daemon that died, whose pid now belongs to another program.
      else if (lockedPid(home) !== undefined) rmSync(paths.daemonLock, { force: true });
      const tightened = tightenHome(home);
      localCredentials(home);
      const server = await spawnDaemon(options.daemonPath ?? defaultDaemonPath(), home, port, idleMinutes, deadline, options);
      return { server, started: true, tightened };
    } finally {
      release();
    }
  }
  // Another command held the start all along: its daemon may still be booting, or loading a large stored state.
  await pastBoot(home, startingDaemon(home)?.pid, options.signal);
  const found = await findLocalAws(home);
  if (found) return { server: found, started: false, tightened: 0 };
  const restoring = restoringDaemon(home);
  if (restoring) return await awaitRestore(home, restoring, options);
  throw new LocalAwsError(`the local AWS did not start within ${Math.round(timeoutMs / 1000)} s`, {
    hint: `see ${paths.log}`,
  });
}

async function spawnDaemon(
  daemonPath: string,
  home: string,
  port: number,
  idleMinutes: number,
  deadline: number,
  { onWait, signal, memoryMb = defaultLocalMemoryMb() }: Pick<EnsureLocalOptions, 'onWait' | 'signal' | 'memoryMb'>,
): Promise<ServerFile> {
  const paths = localPaths(home);
  if (!existsSync(daemonPath)) {
    throw new LocalAwsError(`the local AWS daemon is missing at ${daemonPath}`, { hint: 'run `npm run build`' });
  }
  rmSync(paths.serverFile, { force: true });
  const log = openSync(paths.log, 'a', 0o600);
  // Where this start's lines begin: a FATAL above it is an older start's.
  const marker = `${new Date().toISOString()} starting (asked by pid ${process.pid})`;
  writeSync(log, `${marker}\n`);
  let exited: string | undefined;
  const args = [daemonPath, '--home', home, '--port', String(port), '--idle-minutes', String(idleMinutes)];
  const child = spawn(process.execPath, [`--max-old-space-size=${memoryMb}`, ...args], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  closeSync(log);
  child.on('exit', (code, how) => {
    exited = how ? `killed by ${how}` : `code ${code}`;
  });
  child.unref();
  // Checked once, a second in, when its RESTORING line (written before it loads) is there.
  const lookForRestore = Date.now() + 1000;
  let looked = false;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw exitReason(home, marker, { message: `the local AWS exited at start (${exited})`, hint: `see ${paths.log}` }, memoryMb);
    }
    stopWaiting(signal, 'starting');
    const info = readServerFile(paths.serverFile);
    if (info && info.pid === child.pid && (await healthy(info.endpoint, info.pid))) return info;
    if (!looked && Date.now() >= lookForRestore) {
      looked = true;
      // Busy loading what it stored, not hung: give it the time that takes, and say so.
      const restoring = restoringDaemon(home);
      if (restoring && restoring.pid === child.pid) return (await awaitRestore(home, restoring, { onWait, signal })).server;
    }
    await sleep(50);
  }
  // Past the deadline but still booting (it has not yet said whether it loads): not hung yet.
  await pastBoot(home, child.pid, signal, () => exited !== undefined);
  if (exited !== undefined) {
    throw exitReason(home, marker, { message: `the local AWS exited at start (${exited})`, hint: `see ${paths.log}` }, memoryMb);
  }
  const info = readServerFile(paths.serverFile);
  if (info && info.pid === child.pid && (await healthy(info.endpoint, info.pid))) return info;
  const restoring = restoringDaemon(home);
  if (restoring && restoring.pid === child.pid) return (await awaitRestore(home, restoring, { onWait, signal })).server;
  child.kill('SIGKILL');
  throw new LocalAwsError('the local AWS did not answer in time', { hint: `see ${paths.log}` });
}

/** How long a daemon past the start timeout may still take to boot and say whether it loads a stored state. */
const BOOT_GRACE_MS = 10_000;

/**
 * Waits, at most BOOT_GRACE_MS, while a daemon boots: until it answers, says it is loading
 * (RESTORING), or dies (`pid` gone, or `ended()`). A start timeout is for a daemon that hangs,
 * not for one that a busy machine starts slowly.
 */
async function pastBoot(home: string, pid: number | undefined, signal: AbortSignal | undefined, ended = () => false): Promise<void> {
  const until = Date.now() + BOOT_GRACE_MS;
  while (Date.now() < until && !ended()) {
    stopWaiting(signal, 'starting');
    if (restoringDaemon(home) || (await findLocalAws(home))) return;
    if (pid !== undefined && !isAlive(pid)) {
      // Dead: give its exit event a moment, so the caller reads why.
      await sleep(200);
      return;
    }
    await sleep(50);
  }
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
  // A killed daemon leaves its files behind; the next start takes them over, but tidy up
  // (where it can: on a read-only state dir the stop has still happened).
  try {
    rmSync(paths.serverFile, { force: true });
  } catch {
    /* left for the next start */
  }
  return { stopped: true, pid };
}

/** Stops the daemon and deletes every queue, message, table and object it kept. */
export async function resetLocalAws(home: string): Promise<{ stopped: boolean; removed: string }> {
  const { stopped } = await stopLocalAws(home);
  const paths = localPaths(home);
  rmSync(paths.data, { recursive: true, force: true });
  return { stopped, removed: paths.data };
}
