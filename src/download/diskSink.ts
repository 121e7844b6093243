/**
 * Downloads to a folder. Bytes go to `NAME.part`, which is renamed to NAME only
 * when the body is complete (and its sha256 matches): a crash, a cut connection or
 * a bad checksum never leaves a half-written file under the final name. A large
 * .part remembers its URL (as a hash) and validator beside it, so a later attempt
 * or run resumes with a Range request, and only for the same URL.
 */
import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DownloadError, toDownloadError } from './errors.js';
import type { DownloadEntry } from './input.js';
import { META_SUFFIX, PART_SUFFIX } from './names.js';
import { parseContentRange, parseUnsatisfiedRange, statusError } from './policy.js';
import { discard, expectedLength, verifiedBody, type AttemptContext, type AttemptResult, type Sink } from './sink.js';

/** Bodies smaller than this are simply fetched again: a resume would save nothing. */
const RESUME_MIN_BYTES = 1024 * 1024;

interface PartMeta {
  urlSha256: string;
  /** A strong ETag or Last-Modified, sent back as If-Range. */
  validator?: string;
}

const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

async function readMeta(path: string): Promise<PartMeta | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as PartMeta;
  } catch {
    return undefined;
  }
}

async function hashFile(path: string): Promise<ReturnType<typeof createHash>> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash;
}

export class DiskSink implements Sink {
  readonly destination: string;
  private root: string | undefined;
  /** Folders already made and checked in this run: 2,000 files in one folder need one check, not 2,000. */
  private readonly checked = new Map<string, Promise<void>>();

  constructor(outDir: string) {
    this.destination = resolve(outDir);
  }

  async prepare(): Promise<void> {
    await mkdir(this.destination, { recursive: true });
    this.root = await realpath(this.destination);
  }

  targetOf(name: string): string {
    return resolve(this.destination, name);
  }

  /** The final path, checked to stay inside the folder even through symlinked subfolders. */
  private async place(name: string): Promise<string> {
    const final = resolve(this.destination, name);
    if (!final.startsWith(this.destination + sep)) throw new DownloadError('unsafe_path', `"${name}" would land outside the output folder`);
    const dir = dirname(final);
    let check = this.checked.get(dir);
    if (!check) this.checked.set(dir, (check = this.checkDir(dir)));
    await check;
    return final;
  }

  private async checkDir(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const realDir = await realpath(dir);
    const root = this.root ?? (await realpath(this.destination));
    if (realDir !== root && !realDir.startsWith(root + sep)) {
      throw new DownloadError('unsafe_path', `${dir.slice(this.destination.length + 1)} goes through a link that leaves the output folder`);
    }
  }

  async isComplete(entry: DownloadEntry, name: string): Promise<boolean> {
    const final = this.targetOf(name);
    if ((await sizeOf(final)) === undefined) return false;
    // With a checksum, "there" means "there and right"; a wrong file is replaced (after the new one is verified).
    return entry.sha256 ? (await hashFile(final)).digest('hex') === entry.sha256 : true;
  }

  async attempt(ctx: AttemptContext): Promise<AttemptResult> {
    const final = await this.place(ctx.name);
    const part = final + PART_SUFFIX;
    const metaPath = final + META_SUFFIX;
    const urlSha256 = sha256Hex(ctx.entry.url);
    // Most downloads find no .part: one stat, and no further file-system calls on that path.
    const partSize = await sizeOf(part);
    const meta = partSize !== undefined && !ctx.fresh ? await readMeta(metaPath) : undefined;
    let offset = partSize !== undefined && meta?.urlSha256 === urlSha256 ? partSize : 0;
    // Removing (not truncating) also removes a symlink planted under the .part name.
    if (partSize !== undefined && offset === 0) await rm(part, { force: true });
    let hasMeta = meta !== undefined;

    const range: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-`, ...(meta?.validator ? { 'if-range': meta.validator } : {}) } : {};
    const res = await ctx.open(range);
    let length = expectedLength(res);
    if (res.status === 416 && offset > 0) {
      discard(res.body);
      // Asked past the end: the .part may already be whole (a run cut between write and rename).
      if (parseUnsatisfiedRange(res.headers['content-range']) === offset) return this.finish(ctx, { part, metaPath, final, hasMeta }, offset, offset);
      await rm(part, { force: true });
      throw new DownloadError('bad_range', 'the server refused the resume range; starting again', { retryable: true });
    }
    if (res.status === 206) {
      const cr = parseContentRange(res.headers['content-range']);
      if (!cr || cr.start !== offset) {
        discard(res.body);
        await rm(part, { force: true });
        throw new DownloadError('bad_range', `the server sent a range we did not ask for (${cr ? `from byte ${cr.start}` : 'no Content-Range'})`, { retryable: true });
      }
      length = cr.end - cr.start + 1;
    } else if (res.status === 200) {
      // No range support (or If-Range said the file changed): the server sent it all.
      offset = 0;
    } else {
      discard(res.body);
      throw statusError(res.status, res.headers['retry-after'], Date.now());
    }

    const total = length !== undefined ? offset + length : undefined;
    const resumable = total === undefined || total >= RESUME_MIN_BYTES;
    // Kept bytes only count as progress if the server can continue from them.
    const rangeable = res.status === 206 || /\bbytes\b/i.test(String(res.headers['accept-ranges'] ?? ''));
    if (resumable && offset === 0) {
      const etag = [res.headers.etag].flat()[0];
      const lastModified = [res.headers['last-modified']].flat()[0];
      const validator = etag && !etag.startsWith('W/') ? etag : lastModified;
      await writeFile(metaPath, JSON.stringify({ urlSha256, ...(validator ? { validator } : {}) } satisfies PartMeta));
      hasMeta = true;
    }
    // Resuming with a checksum: the digest must cover the bytes already on disk.
    const hash = ctx.entry.sha256 && offset > 0 ? await hashFile(part) : undefined;
    const body = verifiedBody(res.body, {
      ...(length !== undefined ? { expected: length } : {}),
      ...(ctx.entry.sha256 ? { sha256: ctx.entry.sha256 } : {}),
      ...(hash ? { hash } : {}),
      onBytes: ctx.onBytes,
    });
    // O_NOFOLLOW: a planted symlink named NAME.part must not redirect our writes.
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (offset > 0 ? constants.O_APPEND : constants.O_TRUNC);
    try {
      const fh = await open(part, flags, 0o644);
      // flush: the bytes reach the disk before the rename makes them "complete".
      await pipeline(body.stream, fh.createWriteStream({ flush: true }));
    } catch (e: unknown) {
      const err = toDownloadError(e);
      if (err.code === 'checksum') await rm(part, { force: true }).then(() => rm(metaPath, { force: true }));
      else if (resumable && rangeable && body.received() > 0) err.madeProgress = true;
      else if (!resumable) await rm(part, { force: true });
      throw err;
    }
    return this.finish(ctx, { part, metaPath, final, hasMeta }, offset + body.received(), offset);
  }

  private async finish(
    ctx: AttemptContext,
    { part, metaPath, final, hasMeta }: { part: string; metaPath: string; final: string; hasMeta: boolean },
    size: number,
    resumedFrom: number,
  ): Promise<AttemptResult> {
    if (ctx.entry.sha256 && resumedFrom === size) {
      // Whole .part found on disk: verify it before it takes the final name.
      if ((await hashFile(part)).digest('hex') !== ctx.entry.sha256) {
        await rm(part, { force: true });
        await rm(metaPath, { force: true });
        throw new DownloadError('checksum', 'sha256 mismatch in the finished .part', { retryable: true });
      }
    }
    try {
      await rename(part, final);
    } catch (e: unknown) {
      throw toDownloadError(e, 'write');
    }
    if (hasMeta) await rm(metaPath, { force: true });
    return { size, resumedFrom };
  }
}
