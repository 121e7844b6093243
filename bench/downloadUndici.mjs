#!/usr/bin/env node
/**
 * The naive use of undici, as a user would write a downloader without sqsops: a bounded
 * pool of workers, each `for` URL `await request(url)`, the body piped with
 * `stream.pipeline` into `fs.createWriteStream(NAME.part)`, then a rename, as we do.
 * undici's global dispatcher keeps the connections alive (one per worker); https trusts
 * NODE_EXTRA_CA_CERTS, which the bench sets to its throwaway CA. No retries, no sync,
 * no checks but the status. bench/download.mjs runs it beside the others as the peer
 * for many small files: the same library we use, without our code around it.
 * Usage: node bench/downloadUndici.mjs LIST.json OUTDIR CONCURRENCY
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';

const [list, out, width = '16'] = process.argv.slice(2);
const urls = JSON.parse(readFileSync(list, 'utf8'));
let next = 0;

async function worker() {
  while (next < urls.length) {
    const url = urls[next++];
    const name = `${out}/${new URL(url).pathname.split('/').pop()}`;
    const { statusCode, body } = await request(url);
    if (statusCode !== 200) {
      await body.dump();
      throw new Error(`${url}: HTTP ${statusCode}`);
    }
    await pipeline(body, createWriteStream(`${name}.part`));
    await rename(`${name}.part`, name);
  }
}

await Promise.all(Array.from({ length: Math.min(Number(width), urls.length) }, worker));
