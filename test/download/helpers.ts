/** Shared set-up for the downloader's integration tests: one misbehaving server, temp folders removed after each test. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { downloadUrls, type DownloadEntry, type DownloadOptions } from '../../src/features/download/index.js';
import { testCerts } from './certs.js';
import { startTestServer, type TestServer } from './server.js';

export type Scheme = 'http' | 'https';
/** Every downloader behaviour runs over both: almost every real URL is https. */
export const SCHEMES: readonly Scheme[] = ['http', 'https'];

export const ctx = { server: undefined as unknown as TestServer, scheme: 'http' as Scheme };
const dirs: string[] = [];

/** A test server of that scheme; https with the throwaway CA of certs.ts. */
export function startServer(scheme: Scheme): Promise<TestServer> {
  return startTestServer(scheme === 'https' ? { tls: testCerts() } : {});
}

/** What a run needs to trust the https test server. */
export const trust = (scheme: Scheme = ctx.scheme) => (scheme === 'https' ? { caFile: testCerts().caFile } : {});

/** Call at the top of a test file (or of a describe per scheme): starts the server for it and cleans up after each test. */
export function useServer(scheme: Scheme = 'http'): void {
  beforeAll(async () => {
    ctx.scheme = scheme;
    seq = 0;
    ctx.server = await startServer(scheme);
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
  return downloadUrls({ entries: list, outDir: out, ...fast, ...trust(), ...more });
}

/** Every file under a folder, relative; `.part` files included. */
export function listAll(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}
