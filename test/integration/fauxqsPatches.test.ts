import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyFauxqsPatches } from '../../src/local/fauxqsPatches.js';

const dir = mkdtempSync(join(tmpdir(), 'sqsops-patch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the fauxqs persistence patches', () => {
  it("open fauxqs's SQLite database in WAL mode with synchronous = NORMAL (no fsync per message)", async () => {
    await applyFauxqsPatches();
    const { PersistenceManager } = (await import(new URL('./persistence.js', import.meta.resolve('fauxqs')).href)) as {
      PersistenceManager: new (dataDir: string) => { db: { prepare(sql: string): { get(): Record<string, unknown> }; close(): void } };
    };
    const manager = new PersistenceManager(dir);
    expect(manager.db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(manager.db.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 1 }); // 1 = NORMAL, 2 = FULL (SQLite's default)
    manager.db.close();
  });

  it("index fauxqs's messages by queue, so a restart, a purge and a queue deletion read only that queue's rows", async () => {
    await applyFauxqsPatches();
    const { PersistenceManager } = (await import(new URL('./persistence.js', import.meta.resolve('fauxqs')).href)) as {
      PersistenceManager: new (
        dataDir: string,
      ) => { db: { prepare(sql: string): { all(...a: unknown[]): Record<string, unknown>[] }; close(): void } };
    };
    const manager = new PersistenceManager(dir);
    // The statements fauxqs runs at start (load) and on PurgeQueue; DeleteQueue's cascade uses the same lookup.
    for (const sql of ['SELECT * FROM sqs_messages WHERE queue_name = ?', 'DELETE FROM sqs_messages WHERE queue_name = ?']) {
      const plan = manager.db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all('q')
        .map((r) => String(r.detail));
      expect(plan.join('; ')).toMatch(/USING (COVERING )?INDEX sqsops_sqs_messages_by_queue/);
    }
    manager.db.close();
  });
});
