/**
 * The local AWS belongs to the user who started it: its state dir is private (0700 dirs,
 * 0600 files, including what SQLite and LevelDB create), its credentials are its own and
 * survive restarts, and `stop` finds the daemon by its lock and never signals another pid.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureLocalAws, findLocalAws, localCredentials, stopLocalAws } from '../../src/local/manager.js';
import { localPaths } from '../../src/local/paths.js';
import { isAlive } from '../../src/local/locks.js';
import { createClients } from '../../src/aws/clients.js';
import { produce } from '../../src/features/produce/produce.js';
import { consume } from '../../src/features/consume/consume.js';
import { daemonHomes, daemonPath } from '../helpers/aws.js';

const home = daemonHomes('sqsops-private-');

/** Every entry below `dir` whose mode lets group or others in, as `path mode`. */
function openEntries(dir: string): string[] {
  const open: string[] = [];
  const visit = (p: string) => {
    // The running daemon's LevelDB rotates files (MANIFEST, logs) while we walk: a file gone
    // between the listing and the stat is open to nobody.
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if ((st.mode & 0o077) !== 0) open.push(`${p} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const n of readdirSync(p)) visit(join(p, n));
  };
  visit(dir);
  return open;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

async function fill(h: string, endpoint: string): Promise<void> {
  const clients = createClients({ kind: 'local', region: 'us-east-1', endpoint, credentials: localCredentials(h) });
  await produce(clients, { queue: 'private', count: 20 });
  await consume(clients, { queue: 'private', count: 5, ledgerTable: 'private-ledger', waitSeconds: 0 });
  clients.destroy();
}

describe('the local AWS state dir', () => {
  it('is private to its user, down to SQLite WAL and LevelDB files', async () => {
    const h = home();
    chmodSync(h, 0o700);
    const { server } = await ensureLocalAws({ home: h, port: 0, daemonPath });
    await fill(h, server.endpoint);
    const files = allFiles(h).map((f) => f.slice(h.length));
    // The files in question exist, so the check below covers them.
    expect(files.some((f) => f.endsWith('-wal'))).toBe(true);
    expect(files.some((f) => f.includes('/dynamodb/'))).toBe(true);
    expect(files).toContain('/local/credentials.json');
    expect(openEntries(h)).toEqual([]);
  });

  it('tightens a home left open by an older version, and says how much it changed', async () => {
    const h = home();
    const old = join(localPaths(h).data, 'fauxqs');
    mkdirSync(old, { recursive: true });
    writeFileSync(join(old, 'leftover.txt'), 'message bodies');
    for (const d of [h, localPaths(h).root, localPaths(h).data, old]) chmodSync(d, 0o755);
    chmodSync(join(old, 'leftover.txt'), 0o644);
    const first = await ensureLocalAws({ home: h, port: 0, daemonPath });
    expect(first.tightened).toBe(5);
    expect(openEntries(h)).toEqual([]);
    await stopLocalAws(h);
    expect((await ensureLocalAws({ home: h, port: 0, daemonPath })).tightened).toBe(0);
  });

  it('keeps the credentials it generated across restarts, private, in the shape of AWS keys', async () => {
    const h = home();
    await ensureLocalAws({ home: h, port: 0, daemonPath });
    const path = localPaths(h).credentials;
    const first = JSON.parse(readFileSync(path, 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    expect(first.accessKeyId).toMatch(/^LSQS[A-Z0-9]{16}$/);
    expect(first.secretAccessKey).toHaveLength(40);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await stopLocalAws(h);
    const { server } = await ensureLocalAws({ home: h, port: 0, daemonPath });
    expect(localCredentials(h)).toEqual(first);
    await fill(h, server.endpoint); // clients built from the file are accepted by the new daemon
    const other = home();
    await ensureLocalAws({ home: other, port: 0, daemonPath });
    expect(localCredentials(other).accessKeyId).not.toBe(first.accessKeyId);
  });
});

describe('finding and stopping the daemon', () => {
  it('is not wedged by a corrupt server.json: the next start replaces the daemon, stop finds it by its lock', async () => {
    const h = home();
    const first = await ensureLocalAws({ home: h, port: 0, daemonPath });
    writeFileSync(localPaths(h).serverFile, '{ not json');
    expect(await findLocalAws(h)).toBeUndefined();
    const second = await ensureLocalAws({ home: h, port: 0, daemonPath });
    expect(second.started).toBe(true);
    expect(second.server.pid).not.toBe(first.server.pid);
    expect(isAlive(first.server.pid)).toBe(false);

    writeFileSync(localPaths(h).serverFile, 'garbage');
    expect(await stopLocalAws(h)).toEqual({ stopped: true, pid: second.server.pid });
    expect(isAlive(second.server.pid)).toBe(false);
  });

  it('never signals a pid that is not its daemon, even when the lock and server.json name it', async () => {
    const h = home();
    mkdirSync(localPaths(h).root, { recursive: true });
    const bystander = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const pid = bystander.pid!;
      writeFileSync(localPaths(h).daemonLock, String(pid));
      writeFileSync(localPaths(h).serverFile, JSON.stringify({ pid, port: 1, endpoint: 'http://127.0.0.1:1' }));
      expect(await stopLocalAws(h, 500)).toEqual({ stopped: false });
      expect(isAlive(pid)).toBe(true);
      // And its stale lock does not stop a real daemon from starting.
      const { started, server } = await ensureLocalAws({ home: h, port: 0, daemonPath });
      expect(started).toBe(true);
      expect(isAlive(pid)).toBe(true);
      expect(server.pid).not.toBe(pid);
    } finally {
      bystander.kill('SIGKILL');
    }
  });
});
