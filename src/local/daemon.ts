/**
 * The embedded local AWS as a background process. Started detached by the manager
 * (or `sqsops local start`); one per state dir, guarded by a lock file, so every
 * sqsops process on the machine talks to the same emulators and state is never
 * opened twice. Its stdout/stderr go to server.log; its last line on a failed start
 * is `FATAL {json}`, which the manager turns into the user's error message. Before it loads
 * a stored state of any size it writes `RESTORING {json}` (its pid, queues, messages), so a
 * command waiting for it knows it is busy, not hung, and waits instead of killing it.
 *
 * It runs with umask 077 from its first line: SQLite's -wal/-shm files, dynalite's LevelDB
 * files and S3 object files are created by libraries, and must be private to the user too.
 */
import { existsSync, writeFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { localPaths } from './paths.js';
import { tryLock } from './locks.js';
import { startLocalAws, type LocalAws } from './server.js';
import { VERSION } from '../version.js';
import { isSqsopsError } from '../core/errors.js';
import { loadOrCreateCredentials } from './credentials.js';

export interface ServerFile {
  pid: number;
  port: number;
  endpoint: string;
  home: string;
  version: string;
  startedAt: string;
  idleMinutes: number;
}

function fatal(message: string, hint?: string): never {
  process.stderr.write(`FATAL ${JSON.stringify({ message, hint })}\n`);
  process.exit(1);
}

/** How many queues and messages fauxqs will load from its database; undefined when it has none. */
async function storedSqsState(dataDir: string): Promise<{ queues: number; messages: number } | undefined> {
  const file = join(dataDir, 'fauxqs', 'fauxqs.db');
  if (!existsSync(file)) return undefined;
  try {
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const count = (table: string) => Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
      return { queues: count('sqs_queues'), messages: count('sqs_messages') };
    } finally {
      db.close();
    }
  } catch {
    return undefined; // not created yet, or a fauxqs with another schema: it reports its own errors
  }
}

async function main(): Promise<void> {
  process.umask(0o077);
  const { home, port, idleMinutes } = daemonArgs();
  const paths = localPaths(home);
  const release = tryLock(paths.daemonLock);
  if (!release) fatal(`another local AWS is already running for ${home}`, 'use `sqsops local status`');
  // From here the lock names us: `local status` reads this line and says "starting", not "not answering".
  process.stdout.write(`STARTING ${JSON.stringify({ pid: process.pid, at: new Date().toISOString() })}\n`);
  let lastRequest = Date.now();
  const started = await start(paths, home, port, () => {
    lastRequest = Date.now();
  }).catch((e: unknown) => {
    release();
    return failedStart(e, paths);
  });
  announce(started, paths, home, idleMinutes);
  stopOnSignals(started.local, paths, release, idleMinutes, () => lastRequest);
}

type Paths = ReturnType<typeof localPaths>;

function daemonArgs(): { home: string; port: number; idleMinutes: number } {
  const { values } = parseArgs({
    options: {
      home: { type: 'string' },
      port: { type: 'string', default: '0' },
      'idle-minutes': { type: 'string', default: '0' },
    },
  });
  if (!values.home) fatal('--home is required');
  return { home: values.home, port: Number(values.port), idleMinutes: Number(values['idle-minutes']) };
}

interface Started {
  local: LocalAws;
  /** Set when a stored state with messages was loaded: how many, and since when. */
  restoring?: { messages: number; t0: number };
}

async function start(paths: Paths, home: string, port: number, onRequest: () => void): Promise<Started> {
  const credentials = loadOrCreateCredentials(paths.credentials);
  const stored = await storedSqsState(paths.data);
  let restoring: Started['restoring'];
  if (stored?.messages) {
    restoring = { messages: stored.messages, t0: Date.now() };
    process.stdout.write(`RESTORING ${JSON.stringify({ pid: process.pid, ...stored, at: new Date().toISOString() })}\n`);
  }
  const local = await startLocalAws({ credentials, dataDir: paths.data, port, onRequest, info: { home, version: VERSION } });
  return restoring ? { local, restoring } : { local };
}

function failedStart(e: unknown, paths: Paths): never {
  if (isSqsopsError(e)) fatal(e.message, e.hint);
  const message = (e as Error).message;
  // SQLite's words for a damaged database file: name the file and the two ways out.
  if (/database disk image is malformed|file is not a database/.test(message)) {
    const db = join(paths.data, 'fauxqs', 'fauxqs.db');
    fatal(
      `could not start: ${db} is damaged (${message})`,
      'move it aside (the next start makes a new, empty one), or delete all local state with `sqsops local reset --yes`',
    );
  }
  fatal(`could not start: ${message}`);
}

/** Writes server.json (atomically: a reader never sees half a file) and the listening line. */
function announce({ local, restoring }: Started, paths: Paths, home: string, idleMinutes: number): void {
  const info: ServerFile = {
    pid: process.pid,
    port: local.port,
    endpoint: local.endpoint,
    home,
    version: VERSION,
    startedAt: new Date().toISOString(),
    idleMinutes,
  };
  writeFileSync(`${paths.serverFile}.tmp`, JSON.stringify(info, null, 2));
  renameSync(`${paths.serverFile}.tmp`, paths.serverFile);
  const loaded = restoring ? `, ${restoring.messages} stored messages loaded in ${((Date.now() - restoring.t0) / 1000).toFixed(1)} s` : '';
  process.stdout.write(`${new Date().toISOString()} listening on ${local.endpoint} (pid ${process.pid}${loaded})\n`);
}

/** Stops on SIGTERM, SIGINT, or after idleMinutes without a request (0: never idle). */
function stopOnSignals(local: LocalAws, paths: Paths, release: () => void, idleMinutes: number, lastRequest: () => number): void {
  let stopping = false;
  const shutdown = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${new Date().toISOString()} stopping: ${why}\n`);
    try {
      unlinkSync(paths.serverFile);
    } catch {
      /* already gone */
    }
    await local.stop();
    release();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  if (idleMinutes > 0) {
    const timer = setInterval(
      () => {
        if (Date.now() - lastRequest() > idleMinutes * 60_000) void shutdown(`idle for ${idleMinutes} min`);
      },
      Math.min(30_000, idleMinutes * 60_000),
    );
    timer.unref();
  }
}

void main();
