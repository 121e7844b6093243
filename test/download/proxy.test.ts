/**
 * The address rules through a forward proxy: the proxy, not us, connects to the target, so
 * the URL's host is resolved here and checked before the proxy is asked. Names are resolved
 * by a hook (public, private, link-local); the proxy's routes send them to the test server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedAddress } from '../../src/features/download/connector.js';
import { closedPort, startForwardProxy, type ForwardProxy } from '../helpers/forwardProxy.js';
import { entry, run, tempDir, useServer, ctx } from './helpers.js';

const ADDRESSES: Record<string, string> = {
  'files.test': '8.8.8.8',
  'mirror.test': '8.8.4.4',
  'inner.test': '10.1.2.3',
  'meta.test': '169.254.169.254',
  'gone.test': '8.8.4.8',
};
const resolve = async (name: string): Promise<ResolvedAddress[]> => {
  const address = ADDRESSES[name];
  if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return [{ address, family: 4 }];
};

useServer('http');
let proxy: ForwardProxy;
const saved = { HTTP_PROXY: process.env.HTTP_PROXY, HTTPS_PROXY: process.env.HTTPS_PROXY };

beforeAll(async () => {
  const server = new URL(ctx.server.origin).host;
  const routes = Object.fromEntries(Object.keys(ADDRESSES).map((n) => [`${n}:80`, server]));
  // Nothing listens there: the proxy cannot open the tunnel.
  routes['gone.test:443'] = `127.0.0.1:${await closedPort()}`;
  proxy = await startForwardProxy({ routes });
  process.env.HTTP_PROXY = proxy.url;
  process.env.HTTPS_PROXY = proxy.url;
});

afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await proxy.close();
});

/** The proxy's log lines added while `fn` runs. */
async function logged<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const before = proxy.log.length;
  const result = await fn();
  return { result, lines: proxy.log.slice(before) };
}

describe('downloads through a proxy', () => {
  it('go through it, following a redirect that stays out', async () => {
    const to = encodeURIComponent('http://mirror.test/file/m?size=300');
    const url = `http://files.test/redirect/r?to=${to}`;
    const { result: r, lines } = await logged(() => run([entry(url)], tempDir(), { resolve }));
    expect(r.items.map((i) => [i.status, i.size])).toEqual([['downloaded', 300]]);
    expect(lines).toEqual([`GET ${url}`, 'GET http://mirror.test/file/m?size=300']);
  });

  it('refuse a name that resolves to link-local before asking the proxy', async () => {
    const { result: r, lines } = await logged(() => run([entry('http://meta.test/latest/meta-data/')], tempDir(), { resolve }));
    expect(r.items.map((i) => [i.status, i.code])).toEqual([['failed', 'blocked_address']]);
    expect(r.items[0]!.error).toMatch(/^meta\.test \(169\.254\.169\.254\) is link-local or cloud metadata and refused/);
    expect(lines).toEqual([]);
  });

  it('refuse a redirect inward before asking the proxy for it', async () => {
    const url = `http://files.test/redirect/r?to=${encodeURIComponent('http://inner.test/file/i')}`;
    const { result: r, lines } = await logged(() => run([entry(url)], tempDir(), { resolve }));
    expect(r.items.map((i) => [i.status, i.code])).toEqual([['failed', 'blocked_address']]);
    expect(r.items[0]!.error).toMatch(/redirect from a public address to private inner\.test \(10\.1\.2\.3\) refused/);
    expect(lines).toEqual([`GET ${url}`]);
  });

  it('send no name this machine cannot resolve: its address could not be checked', async () => {
    const { result: r, lines } = await logged(() => run([entry('http://nowhere.test/file/n')], tempDir(), { resolve, retries: 0 }));
    expect(r.items.map((i) => [i.status, i.code, i.error])).toEqual([
      ['failed', 'network', 'cannot resolve nowhere.test here to check its address before asking the proxy (ENOTFOUND)'],
    ]);
    expect(lines).toEqual([]);
  });

  it('fail one URL, retried, when the proxy cannot open its tunnel', async () => {
    const { result: r, lines } = await logged(() => run([entry('https://gone.test/file/g')], tempDir(), { resolve, retries: 1 }));
    expect(r.items.map((i) => [i.status, i.code, i.attempts])).toEqual([['failed', 'http_status', 2]]);
    expect(r.items[0]!.error).toMatch(/^the proxy http:\/\/127\.0\.0\.1:\d+ answered HTTP 500 to the tunnel request$/);
    expect(lines).toEqual(['CONNECT gone.test:443', 'CONNECT gone.test:443']);
  });

  it('stop the run at a proxy that cannot be reached, naming it with its password masked', async () => {
    process.env.HTTP_PROXY = `http://u:hunter22@127.0.0.1:${await closedPort()}`;
    try {
      const list = ['a', 'b', 'c'].map((k) => entry(`http://files.test/file/${k}`));
      await expect(run(list, tempDir(), { resolve })).rejects.toThrow(
        /^cannot reach the proxy http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/,
      );
    } finally {
      process.env.HTTP_PROXY = proxy.url;
    }
  });
});
