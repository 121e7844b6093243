/**
 * The S3 adapter: buckets and objects, for both S3 writers (the process-sqs sink and
 * download-urls --to-s3). Object calls rethrow SDK errors untouched: each caller decides
 * what is retryable for its own flow.
 */
import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { UsageError } from '../core/errors.js';
import { sdkErrorName } from './errors.js';
import { S3Adapter } from './s3Adapter.js';

export class ObjectStore extends S3Adapter {
  async bucketExists(bucket: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: this.signal });
      return true;
    } catch (e: unknown) {
      const name = sdkErrorName(e);
      if (name === 'NotFound' || name === 'NoSuchBucket') return false;
      this.fail(e);
    }
  }

  /** Creates the bucket; false if we already own it. */
  async createBucket(bucket: string, region?: string): Promise<boolean> {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new UsageError(`"${bucket}" is not a valid bucket name`, { hint: 'use 3-63 lowercase letters, digits, dots and hyphens' });
    }
    try {
      await this.s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          // us-east-1 is the one region that must not be named as a location constraint.
          ...(region && region !== 'us-east-1'
            ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }
            : {}),
        }),
        { abortSignal: this.signal },
      );
      return true;
    } catch (e: unknown) {
      if (sdkErrorName(e) === 'BucketAlreadyOwnedByYou') return false;
      if (sdkErrorName(e) === 'BucketAlreadyExists') {
        throw new UsageError(`bucket "${bucket}" is taken by another account`, {
          hint: 'bucket names are global: choose another with --bucket',
          cause: e,
        });
      }
      this.fail(e);
    }
  }

  /** One object in one PutObject call (small bodies: sink documents). */
  async putObject(bucket: string, key: string, body: string, contentType: string, signal = this.signal): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }), { abortSignal: signal });
  }

  /** The object's metadata, or undefined when there is no such object. */
  async objectMetadata(bucket: string, key: string): Promise<Record<string, string> | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: this.signal });
      return head.Metadata ?? {};
    } catch (e: unknown) {
      const name = sdkErrorName(e);
      if (name === 'NotFound' || name === 'NoSuchKey') return undefined;
      throw e;
    }
  }

  /**
   * Streams a body of unknown length into one object: one PutObject when small, multipart
   * when large (lib-storage, loaded only here), so memory stays at partSize x queueSize.
   * A stream that fails before its end leaves no object (the multipart upload is aborted).
   */
  async uploadStream(
    bucket: string,
    key: string,
    body: Readable,
    options: { contentType?: string; metadata?: Record<string, string>; partSize: number; queueSize: number },
  ): Promise<void> {
    const { Upload } = await import('@aws-sdk/lib-storage');
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: bucket, Key: key, Body: body, ContentType: options.contentType, Metadata: options.metadata },
      partSize: options.partSize,
      queueSize: options.queueSize,
      leavePartsOnError: false,
    });
    await upload.done();
  }
}
