/** Shared set-up for the downloader's integration tests: one misbehaving server, temp folders removed after each test. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { downloadUrls, type DownloadEntry, type DownloadOptions } from '../../src/features/download/index.js';
import { startTestServer, type TestServer } from './server.js';

export const ctx = { server: undefined as unknown as TestServer };
const dirs: string[] = [];

/** Call at the top of a test file: starts the server for it and cleans up after each test. */
export function useServer(): void {
  beforeAll(async () => {
    ctx.server = await startTestServer();
  });
  afterAll(async () => ctx.server.close());
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
}

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sqsops-dl-'));
  dirs.push(d);
  return d;
}

let seq = 0;
/** A fresh key per call, so per-key failure counters start at zero. */
export const u = (route: string, query = '') => `${ctx.server.origin}/${route}/k${seq++}${query ? `?${query}` : ''}`;
let entries = 0;
export const entry = (url: string, more: Partial<DownloadEntry> = {}): DownloadEntry => ({ url, source: `t[${entries++}]`, ...more });
const fast = { retryTiming: { baseMs: 1, capMs: 5 } };

export function run(list: DownloadEntry[], out: string, more: Partial<DownloadOptions> = {}) {
  return downloadUrls({ entries: list, outDir: out, ...fast, ...more });
}

/** Every file under a folder, relative; `.part` files included. */
export function listAll(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}
