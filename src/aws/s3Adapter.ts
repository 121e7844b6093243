/**
 * What both S3 adapters (ObjectStore, PayloadStore) start from: the client, the run's
 * signal, and S3 errors translated the same way.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { translateCommonError } from './errors.js';

export abstract class S3Adapter {
  constructor(
    protected readonly s3: S3Client,
    protected readonly signal?: AbortSignal,
    protected readonly endpoint?: string,
  ) {}

  protected fail(e: unknown): never {
    throw translateCommonError(e, { service: 'S3', endpoint: this.endpoint }) ?? e;
  }
}
