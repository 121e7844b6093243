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
  const { values } = parseArgs({
    options: {
      home: { type: 'string' },
      port: { type: 'string', default: '0' },
      'idle-minutes': { type: 'string', default: '0' },
    },
  });
  if (!values.home) fatal('--home is required');
  const home = values.home;
  const paths = localPaths(home);
  const port = Number(values.port);
  const idleMinutes = Number(values['idle-minutes']);

  const release = tryLock(paths.daemonLock);
  if (!release) fatal(`another local AWS is already running for ${home}`, 'use `sqsops local status`');

  let lastRequest = Date.now();
  let local: LocalAws;
  let restoring: { messages: number; t0: number } | undefined;
  try {
    const credentials = loadOrCreateCredentials(paths.credentials);
    const stored = await storedSqsState(paths.data);
    if (stored?.messages) {
      restoring = { messages: stored.messages, t0: Date.now() };
      process.stdout.write(`RESTORING ${JSON.stringify({ pid: process.pid, ...stored, at: new Date().toISOString() })}\n`);
    }
    local = await startLocalAws({
      credentials,
      dataDir: paths.data,
      port,
      onRequest: () => {
        lastRequest = Date.now();
      },
      info: { home, version: VERSION },
    });
  } catch (e: unknown) {
    release();
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

  const info: ServerFile = {
    pid: process.pid,
    port: local.port,
    endpoint: local.endpoint,
    home,
    version: VERSION,
    startedAt: new Date().toISOString(),
    idleMinutes,
  };
  // Written atomically: a reader never sees half a file.
  writeFileSync(`${paths.serverFile}.tmp`, JSON.stringify(info, null, 2));
  renameSync(`${paths.serverFile}.tmp`, paths.serverFile);
  const loaded = restoring ? `, ${restoring.messages} stored messages loaded in ${((Date.now() - restoring.t0) / 1000).toFixed(1)} s` : '';
  process.stdout.write(`${new Date().toISOString()} listening on ${local.endpoint} (pid ${process.pid}${loaded})\n`);

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
        if (Date.now() - lastRequest > idleMinutes * 60_000) void shutdown(`idle for ${idleMinutes} min`);
      },
      Math.min(30_000, idleMinutes * 60_000),
    );
    timer.unref();
  }
}

void main();
