/**
 * --to-s3 against the real emulators (in-process, port 0, in memory): what matters is
 * the objects in the bucket afterwards, never which SDK calls were made.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../../src/local/server.js';
import { createClients, type AwsClients } from '../../src/aws/clients.js';
import { ResourceNotFoundError } from '../../src/core/errors.js';
import { downloadUrls, type DownloadEntry, type S3Destination } from '../../src/features/download/index.js';
import { sha256Of, startTestServer, type TestServer } from './server.js';

let local: LocalAws;
let clients: AwsClients;
let s3: S3Client;
let server: TestServer;
beforeAll(async () => {
  [local, server] = await Promise.all([startLocalAws({}), startTestServer()]);
  clients = createClients({ kind: 'local', region: 'us-east-1', endpoint: local.endpoint, credentials: local.credentials });
  s3 = await clients.s3();
});
afterAll(async () => {
  clients.destroy();
  await Promise.all([local.stop(), server.close()]);
});

let n = 0;
const entry = (path: string, more: Partial<DownloadEntry> = {}): DownloadEntry => ({
  url: `${server.origin}${path}`,
  source: `s3[${n++}]`,
  ...more,
});
const to = (bucket: string, prefix = 'in/'): S3Destination => ({ client: s3, bucket, prefix, createBucket: true, region: 'us-east-1' });
const fast = { retryTiming: { baseMs: 1, capMs: 5 } };

async function objectSha(bucket: string, key: string): Promise<{ sha: string; size: number }> {
  const o = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const h = createHash('sha256');
  let size = 0;
  for await (const c of o.Body as AsyncIterable<Buffer>) {
    h.update(c);
    size += c.length;
  }
  return { sha: h.digest('hex'), size };
}

async function keys(bucket: string): Promise<string[]> {
  const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (r.Contents ?? []).map((c) => c.Key!).sort();
}

describe('downloadUrls to S3', () => {
  it('creates the missing bucket on the local target and streams small and multipart bodies into it', async () => {
    const big = 20 * 1024 * 1024;
    const r = await downloadUrls({
      entries: [
        entry('/file/small?size=5000&seed=2'),
        entry(`/file/big?size=${big}&seed=3`, { sha256: sha256Of(big, 3), path: 'nested/big.bin' }),
      ],
      s3: to('dl-bucket'),
      ...fast,
    });
    expect(r).toMatchObject({ destination: 's3://dl-bucket/in/', downloaded: 2, failed: 0 });
    expect(r.items.map((i) => i.target)).toEqual(['s3://dl-bucket/in/small', 's3://dl-bucket/in/nested/big.bin']);
    expect(await keys('dl-bucket')).toEqual(['in/nested/big.bin', 'in/small']);
    expect(await objectSha('dl-bucket', 'in/small')).toEqual({ sha: sha256Of(5000, 2), size: 5000 });
    expect(await objectSha('dl-bucket', 'in/nested/big.bin')).toEqual({ sha: sha256Of(big, 3), size: big });
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'dl-bucket', Key: 'in/nested/big.bin' }));
    expect(head.Metadata?.sha256).toBe(sha256Of(big, 3));
  });

  it('refuses a missing bucket when it may not create one', async () => {
    await expect(downloadUrls({ entries: [entry('/file/x')], s3: { ...to('no-such-bucket'), createBucket: false } })).rejects.toThrow(
      ResourceNotFoundError,
    );
  });

  it('leaves no object when the checksum or the length is wrong', async () => {
    const big = 12 * 1024 * 1024;
    const r = await downloadUrls({
      entries: [
        entry('/corrupt/a?size=4000&times=99', { sha256: sha256Of(4000) }),
        entry(`/corrupt/b?size=${big}&times=99`, { sha256: sha256Of(big) }),
        entry(`/cut/c?size=${big}&cutAt=10000000&times=99`),
      ],
      s3: to('bad-bodies'),
      retries: 1,
      ...fast,
    });
    expect(r.items.map((i) => [i.status, i.code])).toEqual([
      ['failed', 'checksum'],
      ['failed', 'checksum'],
      ['failed', 'network'],
    ]);
    // (The emulator cannot list multipart uploads, so the abort of the unfinished one is not checked here.)
    expect(await keys('bad-bodies')).toEqual([]);
  });

  it('retries a body cut in transit and stores it whole', async () => {
    const r = await downloadUrls({ entries: [entry('/cut/d?size=300000&cutAt=100000&times=2')], s3: to('cut-bucket', ''), ...fast });
    expect(r.items[0]).toMatchObject({ status: 'downloaded', attempts: 3, target: 's3://cut-bucket/d' });
    expect(await objectSha('cut-bucket', 'd')).toEqual({ sha: sha256Of(300000), size: 300000 });
  });

  it('skips an object that is there, unless forced', async () => {
    const e = entry('/file/again?size=100');
    const first = await downloadUrls({ entries: [e], s3: to('again') });
    const second = await downloadUrls({ entries: [e], s3: to('again') });
    const forced = await downloadUrls({ entries: [e], s3: to('again'), force: true });
    expect([first, second, forced].map((r) => r.items[0]!.status)).toEqual(['downloaded', 'skipped', 'downloaded']);
  });
});
