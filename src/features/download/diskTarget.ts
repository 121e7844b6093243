/**
 * Downloads to a folder. Bytes go to `NAME.part`, which is renamed to NAME only
 * when the body is complete (and its sha256 matches) and, by default, on disk: a
 * crash, a cut connection or a bad checksum never leaves a half-written file under
 * the final name. A large .part remembers its URL (as a hash) and validator beside
 * it, so a later attempt or run resumes with a Range request, and only for the same URL.
 */
import { createHash } from 'node:crypto';
import fs, { closeSync, constants, createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve, sep } from 'node:path';
import { DownloadError, toDownloadError } from './errors.js';
import type { DownloadEntry } from './input.js';
import { META_SUFFIX, PART_SUFFIX } from './names.js';
import { parseContentRange, parseUnsatisfiedRange, statusError } from './policy.js';
import type { OpenedResponse } from './http.js';
import { expectedLength, verifiedBody, type AttemptContext, type AttemptResult, type FileTarget } from './target.js';
import { WriteBehind } from './writeBehind.js';

/** Bodies smaller than this are simply fetched again: a resume would save nothing. */
const RESUME_MIN_BYTES = 1024 * 1024;
/**
 * A large file starts its writeback every this many bytes (an fdatasync in the background,
 * one at a time), so the disk works while the network does and the sync before the rename
 * only waits for the tail. Without it, 4 × 256 MiB meet a cold 1 GiB flush at the end.
 */
const WRITEBACK_BYTES = 32 * 1024 * 1024;
export interface DiskTargetOptions {
  /**
   * fdatasync each file before its rename, so a file under its final name survives a
   * crash or power cut whole. Off, the kernel writes it back when it likes (as curl and
   * aria2c do) and a crash can leave a final name with missing bytes. @default true
   */
  durable?: boolean;
}

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

/** Through the `fs` object, not a named import: a sync cannot be seen on disk, so tests count the calls. */
const datasync = (fd: number) => new Promise<void>((ok, fail) => fs.fdatasync(fd, (e) => (e ? fail(e) : ok())));

/**
 * Open and rename go through the thread pool: on a quiet disk they take microseconds, but on a busy one (a shared
 * machine, ext4 reusing freed inodes) a create can take a millisecond or more, and done synchronously it stalls every
 * download; 2,000 × 16 KiB took 7 s with openSync against 1.5-3.5 s this way (bench/download.mjs).
 */
const openFile = (path: string, flags: number) =>
  new Promise<number>((ok, fail) => fs.open(path, flags, 0o644, (e, fd) => (e ? fail(e) : ok(fd))));

/** The files of one download: the .part, its meta file (when one was written), the final name. */
interface PartFiles {
  part: string;
  metaPath: string;
  final: string;
  hasMeta: boolean;
}

/**
 * What the server's answer means for the .part: 'whole' (asked past its end, and it is complete),
 * or where the body starts and how long it is. A refused or unasked-for range removes the .part.
 */
async function answered(
  res: OpenedResponse,
  asked: number,
  part: string,
): Promise<'whole' | { offset: number; length: number | undefined }> {
  if (res.status === 416 && asked > 0) {
    res.body.discard();
    // Asked past the end: the .part may already be whole (a run cut between write and rename).
    if (parseUnsatisfiedRange(res.headers['content-range']) === asked) return 'whole';
    await rm(part, { force: true });
    throw new DownloadError('bad_range', 'the server refused the resume range; starting again', { retryable: true });
  }
  if (res.status === 206) {
    const cr = parseContentRange(res.headers['content-range']);
    if (!cr || cr.start !== asked) {
      res.body.discard();
      await rm(part, { force: true });
      throw new DownloadError(
        'bad_range',
        `the server sent a range we did not ask for (${cr ? `from byte ${cr.start}` : 'no Content-Range'})`,
        {
          retryable: true,
        },
      );
    }
    return { offset: asked, length: cr.end - cr.start + 1 };
  }
  // No range support (or If-Range said the file changed): the server sent it all.
  if (res.status === 200) return { offset: 0, length: expectedLength(res) };
  res.body.discard();
  throw statusError(res.status, res.headers['retry-after'], Date.now());
}

/** A .part worth resuming remembers its URL (as a hash) and the validator a resume sends back as If-Range. */
async function rememberPart(res: OpenedResponse, files: PartFiles, urlSha256: string): Promise<void> {
  const etag = [res.headers.etag].flat()[0];
  const lastModified = [res.headers['last-modified']].flat()[0];
  const validator = etag && !etag.startsWith('W/') ? etag : lastModified;
  await writeFile(files.metaPath, JSON.stringify({ urlSha256, validator } satisfies PartMeta));
  files.hasMeta = true;
}

export class DiskTarget implements FileTarget {
  readonly destination: string;
  private root: string | undefined;
  private readonly durable: boolean;
  /** Folders already made and checked in this run: 2,000 files in one folder need one check, not 2,000. */
  private readonly checked = new Map<string, Promise<void>>();
  /** What each folder held when first looked at: a name it did not hold needs no stat (2,000 new files, 4,000 fewer calls). */
  private readonly listings = new Map<string, Promise<Set<string>>>();
  /** .part files this run has opened: only these (and listed ones) can exist. */
  private readonly touched = new Set<string>();

  constructor(outDir: string, options: DiskTargetOptions = {}) {
    this.destination = resolve(outDir);
    this.durable = options.durable ?? true;
  }

  /** False when the folder's listing lacks `path`; true means "maybe", ask the disk. */
  private async listed(path: string): Promise<boolean> {
    const dir = dirname(path);
    let names = this.listings.get(dir);
    if (!names) {
      names = readdir(dir).then(
        (n) => new Set(n),
        () => new Set<string>(),
      );
      this.listings.set(dir, names);
    }
    return (await names).has(basename(path));
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
    if (!check) {
      check = this.checkDir(dir);
      this.checked.set(dir, check);
    }
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
    if (!(await this.listed(final)) || (await sizeOf(final)) === undefined) return false;
    // With a checksum, "there" means "there and right"; a wrong file is replaced (after the new one is verified).
    return entry.sha256 ? (await hashFile(final)).digest('hex') === entry.sha256 : true;
  }

  async attempt(ctx: AttemptContext): Promise<AttemptResult> {
    const final = await this.place(ctx.name);
    const files: PartFiles = { part: final + PART_SUFFIX, metaPath: final + META_SUFFIX, final, hasMeta: false };
    let urlSha256: string | undefined;
    const urlHash = () => (urlSha256 ??= sha256Hex(ctx.entry.url));
    const resume = await this.resumePoint(ctx, files, urlHash);
    const range: Record<string, string> =
      resume.offset > 0 ? { range: `bytes=${resume.offset}-`, ...(resume.validator ? { 'if-range': resume.validator } : {}) } : {};
    const res = await ctx.open(range);
    const answer = await answered(res, resume.offset, files.part);
    if (answer === 'whole') return this.finish(ctx, files, resume.offset, resume.offset);
    const { offset, length } = answer;
    const total = length !== undefined ? offset + length : undefined;
    const resumable = total === undefined || total >= RESUME_MIN_BYTES;
    // Kept bytes only count as progress if the server can continue from them.
    const rangeable = res.status === 206 || /\bbytes\b/i.test(String(res.headers['accept-ranges'] ?? ''));
    if (resumable && offset === 0) await rememberPart(res, files, urlHash());
    // Resuming with a checksum: the digest must cover the bytes already on disk.
    const hash = ctx.entry.sha256 && offset > 0 ? await hashFile(files.part) : undefined;
    const body = verifiedBody(res.body, { expected: length, sha256: ctx.entry.sha256, hash, onBytes: ctx.onBytes });
    await this.writePart(res, files, body, offset, { resumable, rangeable });
    return this.finish(ctx, files, offset + body.received(), offset);
  }

  /** Where this attempt starts: the .part's end if it is this URL's, else 0 (and an old .part removed). */
  private async resumePoint(ctx: AttemptContext, files: PartFiles, urlHash: () => string): Promise<{ offset: number; validator?: string }> {
    const { part } = files;
    // Most downloads find no .part: not in the folder's listing and not opened by this run means none to look at.
    const partSize = this.touched.has(part) || (await this.listed(part)) ? await sizeOf(part) : undefined;
    const meta = partSize !== undefined && !ctx.fresh ? await readMeta(files.metaPath) : undefined;
    const offset = partSize !== undefined && meta?.urlSha256 === urlHash() ? partSize : 0;
    // Removing (not truncating) also removes a symlink planted under the .part name.
    if (partSize !== undefined && offset === 0) await rm(part, { force: true });
    files.hasMeta = meta !== undefined;
    return meta?.validator ? { offset, validator: meta.validator } : { offset };
  }

  /** Opens the .part (appending when resuming) and writes the body; a failure keeps, or removes, what it wrote. */
  private async writePart(
    res: OpenedResponse,
    { part, metaPath }: PartFiles,
    body: ReturnType<typeof verifiedBody>,
    offset: number,
    { resumable, rangeable }: { resumable: boolean; rangeable: boolean },
  ): Promise<void> {
    // O_NOFOLLOW: a planted symlink named NAME.part must not redirect our writes.
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (offset > 0 ? constants.O_APPEND : constants.O_TRUNC);
    try {
      this.touched.add(part);
      let fd: number;
      try {
        fd = await openFile(part, flags);
      } catch (e: unknown) {
        res.body.discard();
        throw e;
      }
      await this.write(fd, body.read);
    } catch (e: unknown) {
      const err = toDownloadError(e);
      if (err.code === 'checksum') await rm(part, { force: true }).then(() => rm(metaPath, { force: true }));
      else if (resumable && rangeable && body.received() > 0) err.madeProgress = true;
      else if (!resumable) await rm(part, { force: true });
      throw err;
    }
  }

  /** Writes the body into the open .part, then (durable) makes it reach the disk, then closes it. */
  private async write(fd: number, read: (onChunk: (chunk: Buffer) => undefined | Promise<void>) => Promise<void>): Promise<void> {
    const writer = new WriteBehind(fd);
    let unsynced = 0;
    let writeback: Promise<unknown> | undefined;
    let writebackError: unknown;
    let written = false;
    try {
      await read((chunk) => {
        const wait = writer.write(chunk);
        unsynced += chunk.length;
        if (this.durable && unsynced >= WRITEBACK_BYTES && !writeback) {
          unsynced = 0;
          writeback = datasync(fd)
            .catch((e: unknown) => {
              writebackError = e;
            })
            .finally(() => {
              writeback = undefined;
            });
        }
        return wait;
      });
      await writer.drained();
      await writeback;
      if (writebackError !== undefined) throw writebackError;
      // The bytes reach the disk before the rename makes them "complete"; fdatasync skips the timestamps nobody needs.
      // Syncs wait in the thread pool (they take milliseconds): the only file call per small file that leaves this thread.
      if (this.durable) await datasync(fd);
      written = true;
    } finally {
      // A body that failed may leave a write running: the fd must outlive it (a closed number can be reused at once).
      await writer.drained().catch(() => undefined);
      await writeback;
      try {
        closeSync(fd);
      } catch (e: unknown) {
        // A failed close after good writes is a write error; after a failure it would only hide the first error.
        // biome-ignore lint/correctness/noUnsafeFinally: thrown only when the body succeeded, so no error is hidden
        if (written) throw e;
      }
    }
  }

  private async finish(
    ctx: AttemptContext,
    { part, metaPath, final, hasMeta }: PartFiles,
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
