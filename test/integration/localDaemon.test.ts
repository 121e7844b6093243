/**
 * The embedded local AWS as the CLI uses it: a background daemon per state dir,
 * started on demand, shared by concurrent commands, state kept across restarts.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import {
  ensureLocalAws,
  findLocalAws,
  stopLocalAws,
  resetLocalAws,
  localCredentials,
  restoringDaemon,
  restoreBudgetMs,
  defaultLocalMemoryMb,
} from '../../src/local/manager.js';
import { localPaths } from '../../src/local/paths.js';
import { createClients } from '../../src/aws/clients.js';
import { produce } from '../../src/features/produce/produce.js';
import { consume } from '../../src/features/consume/consume.js';
import { LocalAwsError } from '../../src/core/errors.js';
import { isAlive } from '../../src/local/locks.js';
import { daemonHomes, daemonPath } from '../helpers/aws.js';
import { storeCopies } from '../helpers/storedState.js';

const home = daemonHomes('sqsops-daemon-');

const clientsFor = (endpoint: string, h: string) =>
  createClients({ kind: 'local', region: 'us-east-1', endpoint, credentials: localCredentials(h) });

/** A stopped local AWS whose state holds one message in queue `big` (and its DLQ) and `copies` more of it. */
async function storeBig(h: string, copies: number): Promise<void> {
  const first = await ensureLocalAws({ home: h, port: 0, daemonPath });
  const c = clientsFor(first.server.endpoint, h);
  await produce(c, { queue: 'big', count: 1 });
  c.destroy();
  await stopLocalAws(h);
  storeCopies(h, copies);
}

describe('the local AWS daemon', () => {
  it('starts once for many concurrent commands and is found by later ones', async () => {
    const h = home();
    const results = await Promise.all(Array.from({ length: 4 }, () => ensureLocalAws({ home: h, port: 0, daemonPath })));
    expect(results.filter((r) => r.started)).toHaveLength(1);
    expect(new Set(results.map((r) => r.server.pid)).size).toBe(1);
    const later = await ensureLocalAws({ home: h, port: 0, daemonPath });
    expect(later).toMatchObject({ started: false, server: { pid: results[0]!.server.pid } });
    // With the heap it holds stored messages in: half this machine's memory, or V8's default if larger.
    const args = readFileSync(`/proc/${later.server.pid}/cmdline`, 'utf8').split('\0');
    expect(args).toContain(`--max-old-space-size=${defaultLocalMemoryMb()}`);
    expect(defaultLocalMemoryMb()).toBeGreaterThanOrEqual(Math.floor(totalmem() / 2 ** 20 / 2));
  });

  it('keeps queues, messages and ledger rows across a restart', async () => {
    const h = home();
    const first = await ensureLocalAws({ home: h, port: 0, daemonPath });
    const c1 = clientsFor(first.server.endpoint, h);
    await produce(c1, { queue: 'persist', count: 30 });
    await consume(c1, { queue: 'persist', count: 10, ledgerTable: 'persist-ledger', waitSeconds: 0 });
    c1.destroy();
    expect(await stopLocalAws(h)).toMatchObject({ stopped: true });
    expect(isAlive(first.server.pid)).toBe(false);

    const second = await ensureLocalAws({ home: h, port: 0, daemonPath });
    expect(second.started).toBe(true);
    const c2 = clientsFor(second.server.endpoint, h);
    const rest = await consume(c2, { queue: 'persist', count: 100, ledgerTable: 'persist-ledger', waitSeconds: 0 });
    expect(rest.recorded).toBe(20);
    c2.destroy();
  });

  it('survives kill -9 of the daemon without losing sent messages, or bringing deleted ones back', async () => {
    const h = home();
    const first = await ensureLocalAws({ home: h, port: 0, daemonPath });
    const c1 = clientsFor(first.server.endpoint, h);
    await produce(c1, { queue: 'crash', count: 20 });
    const taken = await consume(c1, { queue: 'crash', count: 5, ledgerTable: 'crash-ledger', waitSeconds: 0 });
    expect(taken.recorded).toBe(5);
    c1.destroy();
    process.kill(first.server.pid, 'SIGKILL');
    while (isAlive(first.server.pid)) await new Promise((r) => setTimeout(r, 20));
    const second = await ensureLocalAws({ home: h, port: 0, daemonPath });
    expect(second.server.pid).not.toBe(first.server.pid);
    const c2 = clientsFor(second.server.endpoint, h);
    const got = await consume(c2, { queue: 'crash', count: 100, ledgerTable: 'crash-ledger', waitSeconds: 0 });
    expect(got.recorded).toBe(15); // the 5 deleted before the crash stay deleted
    c2.destroy();
  });

  it('listens on 127.0.0.1 only', async () => {
    const h = home();
    const { server } = await ensureLocalAws({ home: h, port: 0, daemonPath });
    expect(new URL(server.endpoint).hostname).toBe('127.0.0.1');
    const { networkInterfaces } = await import('node:os');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!external) {
      console.log('no non-loopback IPv4 address on this machine: checked only the endpoint host');
      return;
    }
    const reachable = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: external.address, port: server.port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    expect(reachable).toBe(false);
  });

  it('says which port is busy when it cannot listen', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const err = await ensureLocalAws({ home: home(), port, daemonPath }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LocalAwsError);
      expect((err as LocalAwsError).message).toBe(`port ${port} on 127.0.0.1 is already in use by another program`);
      expect((err as LocalAwsError).hint).toMatch(/SQSOPS_LOCAL_PORT/);
    } finally {
      blocker.close();
    }
  });

  it('says the state dir is not writable', async () => {
    const h = home();
    const file = join(h, 'a-file');
    writeFileSync(file, '');
    const err = await ensureLocalAws({ home: join(file, 'sub'), port: 0, daemonPath }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalAwsError);
    expect((err as Error).message).toMatch(/^state dir .* is not writable/);
    if (process.getuid?.() !== 0) {
      const ro = join(h, 'ro');
      rmSync(ro, { force: true, recursive: true });
      chmodSync(h, 0o500);
      await expect(ensureLocalAws({ home: ro, port: 0, daemonPath })).rejects.toThrow(/not writable/);
      chmodSync(h, 0o700);
    }
  });

  it('reset stops it and deletes its state', async () => {
    const h = home();
    const { server } = await ensureLocalAws({ home: h, port: 0, daemonPath });
    const c = clientsFor(server.endpoint, h);
    await produce(c, { queue: 'gone', count: 2 });
    c.destroy();
    const r = await resetLocalAws(h);
    expect(r.stopped).toBe(true);
    expect(existsSync(r.removed)).toBe(false);
    expect(await findLocalAws(h)).toBeUndefined();
  });

  it('waits for a daemon that is loading a large stored state instead of killing it as hung', async () => {
    const h = home();
    await storeBig(h, 200_000);

    const notes: string[] = [];
    const seen: unknown[] = [];
    const onWait = (m: string) => {
      notes.push(m);
      seen.push(restoringDaemon(h));
    };
    // Two commands at once, each with a start timeout far shorter than the load.
    const results = await Promise.all([0, 1].map(() => ensureLocalAws({ home: h, port: 0, daemonPath, timeoutMs: 300, onWait })));
    expect(new Set(results.map((r) => r.server.pid)).size).toBe(1);
    expect(results.filter((r) => r.started)).toHaveLength(1);
    expect(notes.length).toBeGreaterThanOrEqual(1);
    expect(notes[0]).toMatch(/^the local AWS is loading 200,001 stored messages in 2 queues from disk; waiting for it \(up to \d+ s\)$/);
    expect(seen[0]).toMatchObject({ pid: results[0]!.server.pid, queues: 2, messages: 200_001 });
    expect(restoringDaemon(h)).toBeUndefined(); // it listens now: nothing is loading

    const c2 = clientsFor(results[0]!.server.endpoint, h);
    const sqs = await c2.sqs();
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'big' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(Number(Attributes?.ApproximateNumberOfMessages)).toBe(200_001);
    c2.destroy();
  });

  it("reports this start's failure, not a FATAL an older start left in the log", async () => {
    const h = home();
    await ensureLocalAws({ home: h, port: 0, daemonPath });
    await stopLocalAws(h);
    const log = localPaths(h).log;
    writeFileSync(log, `FATAL ${JSON.stringify({ message: 'port 4577 on 127.0.0.1 is already in use by another program' })}\n`, {
      flag: 'a',
    });
    // A daemon that dies without a word (as one killed by the kernel for memory would).
    const dies = join(h, 'dies.js');
    writeFileSync(dies, 'process.exit(3);\n');
    await expect(ensureLocalAws({ home: h, port: 0, daemonPath: dies })).rejects.toThrow('the local AWS exited at start (code 3)');
  });

  it('says the daemon ran out of memory loading a state too large for its heap, and how to give it more', async () => {
    const h = home();
    await storeBig(h, 300_000);
    const notes: string[] = [];
    const started = ensureLocalAws({ home: h, port: 0, daemonPath, timeoutMs: 300, memoryMb: 96, onWait: (m) => notes.push(m) });
    await expect(started).rejects.toThrow('the local AWS stopped while loading 300,001 stored messages in 2 queues: it ran out of memory');
    await expect(started).rejects.toMatchObject({ hint: expect.stringContaining('SQSOPS_LOCAL_MEMORY_MB') });
    expect(notes).toHaveLength(1);
  });

  it('gives a large state a load budget that grows with its size', () => {
    expect(restoreBudgetMs(0)).toBe(60_000);
    expect(restoreBudgetMs(3_000_000)).toBeGreaterThan(20_000 + 3_000_000 * 0.008 * 10); // 10x the load measured here
  });
});
