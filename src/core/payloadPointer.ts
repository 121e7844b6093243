/**
 * Large payloads as the Amazon SQS Extended Client libraries (Java, Python) store them:
 * the body goes to S3 and the message carries a pointer, so either side can be sqsops or
 * an application using those libraries. The pointer body is
 *   ["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":"b","s3Key":"k"}]
 * and the message attribute `ExtendedPayloadSize` (Number) holds the payload's size in
 * bytes. Older Java clients wrote `SQSLargePayloadSize` and the class
 * `com.amazon.sqs.javamessaging.MessageS3Pointer`: both are accepted when reading.
 * Pure: no SDK, no I/O.
 */

export const POINTER_CLASS = 'software.amazon.payloadoffloading.PayloadS3Pointer';
const LEGACY_POINTER_CLASS = 'com.amazon.sqs.javamessaging.MessageS3Pointer';
export const SIZE_ATTRIBUTE = 'ExtendedPayloadSize';
export const LEGACY_SIZE_ATTRIBUTE = 'SQSLargePayloadSize';
/** SQS's limit for a message (body plus attributes) since August 2025; over it, the body goes to S3. */
export const DEFAULT_THRESHOLD = 1024 * 1024;

export interface PayloadPointer {
  bucket: string;
  key: string;
  /** The payload's size in bytes, from the size attribute. */
  size: number;
}

interface AttributeLike {
  DataType?: string | undefined;
  StringValue?: string | undefined;
}

export function pointerBody(bucket: string, key: string): string {
  return JSON.stringify([POINTER_CLASS, { s3BucketName: bucket, s3Key: key }]);
}

/** The attribute the extended clients add beside the pointer. */
export function sizeAttribute(bytes: number): { DataType: 'Number'; StringValue: string } {
  return { DataType: 'Number', StringValue: String(bytes) };
}

/** What is sent instead of a large message: the pointer body, and its attributes with the size added. */
export function pointerMessage<A>(
  bucket: string,
  key: string,
  message: { body: string; attributes?: Record<string, A> | undefined },
): { body: string; attributes: Record<string, A | ReturnType<typeof sizeAttribute>> } {
  const size = sizeAttribute(Buffer.byteLength(message.body));
  return { body: pointerBody(bucket, key), attributes: { ...(message.attributes ?? {}), [SIZE_ATTRIBUTE]: size } };
}

/**
 * The pointer a message carries, or undefined for an ordinary message. Like the extended
 * clients, only a message with the size attribute is read as a pointer.
 */
export function readPointer(
  body: string,
  attributes: Record<string, AttributeLike | string | undefined> | undefined,
): PayloadPointer | undefined {
  const attr = attributes?.[SIZE_ATTRIBUTE] ?? attributes?.[LEGACY_SIZE_ATTRIBUTE];
  if (attr === undefined) return undefined;
  const sizeText = typeof attr === 'string' ? attr : attr.StringValue;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [cls, ref] = parsed as [unknown, { s3BucketName?: unknown; s3Key?: unknown } | null];
  if (cls !== POINTER_CLASS && cls !== LEGACY_POINTER_CLASS) return undefined;
  if (typeof ref?.s3BucketName !== 'string' || typeof ref.s3Key !== 'string') return undefined;
  const size = Number(sizeText);
  return { bucket: ref.s3BucketName, key: ref.s3Key, size: Number.isFinite(size) && size >= 0 ? size : -1 };
}

/** Whether a message of this size (body plus attributes, as SQS counts) goes to S3. */
export function isLarge(bytes: number, threshold = DEFAULT_THRESHOLD): boolean {
  return bytes > threshold;
}

/** A pointer whose object is gone (or unreadable as announced): the message is poison, with this reason. */
export class PayloadMissingError extends Error {
  override readonly name = 'PayloadMissingError';
}
