/**
 * What the one HTTP stack (undici's dispatch) must do for a downloader, over http and
 * https alike: hand a slow reader every byte, refuse answers it cannot frame, trust a
 * private CA only when told (--ca or NODE_EXTRA_CA_CERTS), and keep to the address
 * rules: link-local refused, no redirect inward. Names are resolved by a hook that maps
 * test names to loopback or to addresses that are refused before any packet is sent.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/features/download/http.js';
import { chunksOf, verifiedBody } from '../../src/features/download/target.js';
import { testCerts } from './certs.js';
import { bodyOf, startTestServer } from './server.js';
import { ctx, entry, run, SCHEMES, startServer, tempDir, trust, useServer } from './helpers.js';

describe.each(SCHEMES)('over %s', (scheme) => {
  useServer(scheme);

  it('hands every byte to a reader that keeps chunks and makes the socket wait', async () => {
    const client = new HttpClient(trust());
    try {
      for (const size of [1000, 300_000, 3 * 1024 * 1024]) {
        const res = await client.get(new URL(`${ctx.server.origin}/file/w${size}?size=${size}&seed=5`), {}, 'loopback');
        const body = verifiedBody(res.body, { expected: size, onBytes: () => undefined });
        const parts: Buffer[] = [];
        for await (const c of Readable.from(chunksOf(body.read))) parts.push(c as Buffer);
        expect(Buffer.concat(parts).equals(bodyOf(size, 5))).toBe(true);
      }
    } finally {
      await client.close();
    }
  });

  it('refuses a link-local or metadata address after resolving the name, before connecting', async () => {
    const before = ctx.server.log.length;
    const port = new URL(ctx.server.origin).port;
    const meta = (name: string) => name === 'metadata.test';
    const resolve = async (name: string) => [{ address: meta(name) ? '169.254.169.254' : 'fd00:ec2::254', family: meta(name) ? 4 : 6 }];
    const urls = [`${scheme}://metadata.test:${port}/file/m`, `${scheme}://ec2v6.test:${port}/file/m`];
    const r = await run(
      urls.map((url) => entry(url)),
      tempDir(),
      { resolve, retries: 2 },
    );
    expect(r.items.map((i) => [i.status, i.code, i.attempts])).toEqual([
      ['failed', 'blocked_address', 1],
      ['failed', 'blocked_address', 1],
    ]);
    expect(r.items[0]!.error).toBe(
      'metadata.test (169.254.169.254) is link-local or cloud metadata and refused; allow it with --allow-address 169.254.169.254/32',
    );
    expect(ctx.server.log.length).toBe(before);
  });

  it('refuses a redirect that moves inward, and follows it when --allow-address lists the target', async () => {
    // The first server's address is allowed, so it counts as public; 127.0.0.2 is loopback: inward.
    const inner = await startTestServer({ host: '127.0.0.2', ...(scheme === 'https' ? { tls: testCerts() } : {}) });
    try {
      const to = encodeURIComponent(`${inner.origin}/file/in?size=100`);
      const url = `${ctx.server.origin}/redirect/r?to=${to}`;
      const refused = await run([entry(url)], tempDir(), { allowAddresses: ['127.0.0.1'] });
      expect(refused.items[0]).toMatchObject({ status: 'failed', code: 'blocked_address', attempts: 1 });
      expect(refused.items[0]!.error).toBe(
        'redirect from a public address to loopback 127.0.0.2 refused (redirects may not move inward); ' +
          'allow it with --allow-address 127.0.0.2/32',
      );
      expect(inner.log).toHaveLength(0);
      const allowed = await run([entry(url)], tempDir(), { allowAddresses: ['127.0.0.1', '127.0.0.2/32'] });
      expect(allowed.items[0]).toMatchObject({ status: 'downloaded', size: 100 });
      // Without any allowance the URL as given is loopback, so a redirect to loopback is not inward.
      expect((await run([entry(url)], tempDir())).items[0]).toMatchObject({ status: 'downloaded' });
    } finally {
      await inner.close();
    }
  });

  it('judges an IPv6 address by the IPv4 address it carries, whether the URL names it or a name resolves to it', async () => {
    const inner = await startTestServer({ host: '127.0.0.2', ...(scheme === 'https' ? { tls: testCerts() } : {}) });
    try {
      const before = ctx.server.log.length;
      const mapped = `${scheme}://[::ffff:127.0.0.2]:${new URL(inner.origin).port}/file/in`;
      const resolve = async () => [{ address: '64:ff9b::a9fe:a9fe', family: 6 }];
      const urls = [`${ctx.server.origin}/redirect/r6?to=${encodeURIComponent(mapped)}`, `${scheme}://nat64.test:1/file/m`];
      const r = await run(
        urls.map((url) => entry(url)),
        tempDir(),
        { resolve, allowAddresses: ['127.0.0.1'] },
      );
      expect(r.items.map((i) => i.error)).toEqual([
        'redirect from a public address to loopback ::ffff:7f00:2, which carries IPv4 127.0.0.2, refused ' +
          '(redirects may not move inward); allow it with --allow-address ::ffff:7f00:2/128',
        'nat64.test (64:ff9b::a9fe:a9fe), which carries IPv4 169.254.169.254, is link-local or cloud metadata and refused; ' +
          'allow it with --allow-address 64:ff9b::a9fe:a9fe/128',
      ]);
      expect(inner.log).toHaveLength(0);
      expect(ctx.server.log.length).toBe(before + 1);
    } finally {
      await inner.close();
    }
  });
});

describe('TLS trust', () => {
  it('fails an untrusted certificate in one line, once, and trusts it with --ca', async () => {
    const server = await startServer('https');
    try {
      const url = `${server.origin}/file/t?size=100`;
      const untrusted = await run([entry(url)], tempDir(), { retries: 3, caFile: undefined });
      expect(untrusted.items[0]).toMatchObject({ status: 'failed', code: 'tls', attempts: 1 });
      expect(untrusted.items[0]!.error).toMatch(
        /^TLS certificate not accepted \([A-Z_]+\); trust its CA with --ca FILE or NODE_EXTRA_CA_CERTS$/,
      );
      expect((await run([entry(url)], tempDir(), { caFile: testCerts().caFile })).items[0]).toMatchObject({ status: 'downloaded' });
    } finally {
      await server.close();
    }
  });
});
