/**
 * The S3 side of large payloads (see core/payloadPointer.ts): store a body, read it back
 * by streaming into one buffer of the announced size (no chunk list, no second copy),
 * delete it once the message is safely processed. Only this file sends these S3 commands.
 */
import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { sdkErrorName } from './errors.js';
import { S3Adapter } from './s3Adapter.js';
import { PayloadMissingError, type PayloadPointer } from '../core/payloadPointer.js';

const PART_BYTES = 8 * 1024 * 1024;

export class PayloadStore extends S3Adapter {
  /**
   * Stores a body under a new random key, as the extended clients do; returns the key.
   * Over one part it is a multipart upload of 8 MiB parts (one PutObject of 50 MiB is
   * refused by some S3-compatible servers, and a failed part is retried alone).
   */
  async put(bucket: string, body: string): Promise<string> {
    const key = randomUUID();
    const bytes = Buffer.from(body, 'utf8');
    try {
      if (bytes.byteLength <= PART_BYTES) {
        const put = new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: 'application/octet-stream' });
        await this.s3.send(put, { abortSignal: this.signal });
      } else {
        const { Upload } = await import('@aws-sdk/lib-storage');
        const upload = new Upload({
          client: this.s3,
          params: { Bucket: bucket, Key: key, Body: bytes, ContentType: 'application/octet-stream' },
          partSize: PART_BYTES,
          queueSize: 2,
        });
        this.signal?.addEventListener('abort', () => void upload.abort(), { once: true });
        await upload.done();
      }
    } catch (e: unknown) {
      this.fail(e);
    }
    return key;
  }

  /** Reads the payload as text (UTF-8, as the extended clients write it). */
  async get(p: PayloadPointer): Promise<string> {
    let out: GetObjectCommandOutput;
    try {
      out = await this.s3.send(new GetObjectCommand({ Bucket: p.bucket, Key: p.key }), { abortSignal: this.signal });
    } catch (e: unknown) {
      const name = sdkErrorName(e);
      if (name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket') {
        throw new PayloadMissingError(`large payload s3://${p.bucket}/${p.key} is missing (${name})`);
      }
      this.fail(e);
    }
    const length = out.ContentLength ?? (p.size >= 0 ? p.size : undefined);
    const stream = out.Body as AsyncIterable<Uint8Array> | undefined;
    if (!stream) throw new PayloadMissingError(`large payload s3://${p.bucket}/${p.key} has no body`);
    if (length === undefined) {
      const whole = await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
      return Buffer.from(whole).toString('utf8');
    }
    // One buffer of the final size, filled as chunks arrive: memory stays at one copy of the payload.
    const buf = Buffer.allocUnsafe(length);
    let at = 0;
    for await (const chunk of stream) {
      if (at + chunk.byteLength > length) throw new PayloadMissingError(`large payload s3://${p.bucket}/${p.key} is longer than announced`);
      buf.set(chunk, at);
      at += chunk.byteLength;
    }
    if (at !== length) throw new PayloadMissingError(`large payload s3://${p.bucket}/${p.key} ended after ${at} of ${length} bytes`);
    return buf.toString('utf8');
  }

  async delete(p: PayloadPointer): Promise<void> {
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: p.bucket, Key: p.key }), { abortSignal: this.signal });
    } catch (e: unknown) {
      this.fail(e);
    }
  }
}
