/**
 * Downloads straight into S3: each body streams through lib-storage's Upload
 * (one PutObject when small, multipart when large), so memory stays bounded by
 * part size × queue size per download, whatever the file size. A short body or a
 * checksum mismatch fails the stream before its end, so the upload is never
 * completed and an unfinished multipart upload is aborted: no bad object appears.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { ResourceNotFoundError } from '../../core/errors.js';
import { ObjectStore } from '../../aws/objects.js';
import { sdkErrorName, translateCommonError } from '../../aws/errors.js';
import { DownloadError, toDownloadError } from './errors.js';
import type { DownloadEntry } from './input.js';
import { statusError } from './policy.js';
import { chunksOf, expectedLength, verifiedBody, type AttemptContext, type AttemptResult, type FileTarget } from './target.js';

export interface S3Destination {
  client: S3Client;
  bucket: string;
  /** Key prefix; a trailing `/` is added when missing. @default '' */
  prefix?: string;
  /** Create the bucket when it is missing (the local target); otherwise a missing bucket is an error. @default false */
  createBucket?: boolean;
  region?: string;
  /** For error messages only. */
  endpoint?: string;
}

/** 8 MiB parts, two in flight: about 16 MiB of buffer per concurrent download. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;
const RETRYABLE_S3 = new Set(['SlowDown', 'InternalError', 'ServiceUnavailable', 'RequestTimeout', 'ThrottlingException']);

function s3Error(e: unknown, endpoint: string | undefined): DownloadError {
  const common = translateCommonError(e, { service: 'S3', endpoint });
  const name = sdkErrorName(e);
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const retryable = RETRYABLE_S3.has(name) || (status !== undefined && status >= 500) || common?.name === 'EndpointError';
  return new DownloadError('s3', `S3: ${common?.message ?? (name || 'upload failed')}`, { retryable, cause: e, hint: common?.hint });
}

export class S3Target implements FileTarget {
  readonly destination: string;
  private readonly prefix: string;
  private readonly store: ObjectStore;

  constructor(private readonly to: S3Destination) {
    this.store = new ObjectStore(to.client, undefined, to.endpoint);
    this.prefix = to.prefix ? (to.prefix.endsWith('/') ? to.prefix : `${to.prefix}/`) : '';
    this.destination = `s3://${to.bucket}/${this.prefix}`;
  }

  async prepare(): Promise<void> {
    const store = this.store;
    if (await store.bucketExists(this.to.bucket)) return;
    if (!this.to.createBucket) {
      throw new ResourceNotFoundError(`bucket "${this.to.bucket}" does not exist`, {
        hint: `create it first (sqsops setup --bucket ${this.to.bucket}), or check the region`,
        context: { bucket: this.to.bucket },
      });
    }
    await store.createBucket(this.to.bucket, this.to.region);
  }

  targetOf(name: string): string {
    return `s3://${this.to.bucket}/${this.prefix}${name}`;
  }

  async isComplete(entry: DownloadEntry, name: string): Promise<boolean> {
    let metadata: Record<string, string> | undefined;
    try {
      metadata = await this.store.objectMetadata(this.to.bucket, this.prefix + name);
    } catch (e: unknown) {
      throw s3Error(e, this.to.endpoint);
    }
    // We store the verified digest as metadata; an object without it cannot prove it is right.
    return metadata !== undefined && (entry.sha256 ? metadata.sha256 === entry.sha256 : true);
  }

  async attempt(ctx: AttemptContext): Promise<AttemptResult> {
    const res = await ctx.open({});
    if (res.status !== 200) {
      res.body.discard();
      throw statusError(res.status, res.headers['retry-after'], Date.now());
    }
    const expected = expectedLength(res);
    const body = verifiedBody(res.body, {
      expected,
      sha256: ctx.entry.sha256,
      onBytes: ctx.onBytes,
    });
    let bodyError: unknown;
    const guarded = async function* () {
      try {
        yield* chunksOf(body.read);
      } catch (e: unknown) {
        bodyError = e;
        throw e;
      }
    };
    const contentType = [res.headers['content-type']].flat()[0];
    try {
      await this.store.uploadStream(this.to.bucket, this.prefix + ctx.name, Readable.from(guarded()), {
        contentType,
        metadata: ctx.entry.sha256 ? { sha256: ctx.entry.sha256 } : undefined,
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
      });
    } catch (e: unknown) {
      res.body.discard();
      if (bodyError !== undefined) throw toDownloadError(bodyError);
      throw s3Error(e, this.to.endpoint);
    }
    return { size: body.received(), resumedFrom: 0 };
  }
}
