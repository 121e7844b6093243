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
});
