/** The S3 adapter: buckets and objects. Only this file sends S3 commands. */
import { CreateBucketCommand, HeadBucketCommand, type S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { UsageError } from '../core/errors.js';
import { sdkErrorName, translateCommonError } from './errors.js';

export class ObjectStore {
  constructor(
    private readonly s3: S3Client,
    private readonly signal?: AbortSignal,
    private readonly endpoint?: string,
  ) {}

  private fail(e: unknown): never {
    throw translateCommonError(e, { service: 'S3', endpoint: this.endpoint }) ?? e;
  }

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
          ...(region && region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } } : {}),
        }),
        { abortSignal: this.signal },
      );
      return true;
    } catch (e: unknown) {
      if (sdkErrorName(e) === 'BucketAlreadyOwnedByYou') return false;
      if (sdkErrorName(e) === 'BucketAlreadyExists') {
        throw new UsageError(`bucket "${bucket}" is taken by another account`, { hint: 'bucket names are global: choose another with --bucket', cause: e });
      }
      this.fail(e);
    }
  }
}
