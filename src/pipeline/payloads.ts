/**
 * Large payloads for the features: `offload` (produce) stores a body over the threshold
 * in S3 and sends the extended clients' pointer instead; `PayloadHook` (consume,
 * process-sqs, the Lambda) turns a pointer back into the body and deletes the object
 * once the message is safely processed, unless asked to keep it. A move carries the
 * pointer untouched and so needs neither.
 */
import type { AwsClients } from '../aws/clients.js';
import type { PayloadStore } from '../aws/payloads.js';
import { messageBytes } from '../core/batching.js';
import { DEFAULT_THRESHOLD, isLarge, pointerMessage, readPointer, type PayloadPointer } from '../core/payloadPointer.js';

export interface PayloadHook {
  /** The real body of a pointer message, or undefined for an ordinary one; throws PayloadMissingError when the object is gone. */
  resolve(body: string, attributes: Record<string, unknown> | undefined): Promise<{ text: string; pointer: PayloadPointer } | undefined>;
  /** Deletes the object after a successful processing (a no-op with keep). */
  release(pointer: PayloadPointer): Promise<void>;
}

/** S3 is loaded only when a pointer turns up. */
export function payloadHook(
  clients: AwsClients,
  options: { keep?: boolean | undefined; signal?: AbortSignal | undefined } = {},
): PayloadHook {
  let store: Promise<PayloadStore> | undefined;
  const open = () =>
    (store ??= (async () => {
      const [{ PayloadStore: Store }, s3] = await Promise.all([import('../aws/payloads.js'), clients.s3()]);
      return new Store(s3, options.signal, clients.endpointOf('s3'));
    })());
  return {
    async resolve(body, attributes) {
      const pointer = readPointer(body, attributes as Parameters<typeof readPointer>[1]);
      if (!pointer) return undefined;
      return { text: await (await open()).get(pointer), pointer };
    },
    async release(pointer) {
      if (!options.keep) await (await open()).delete(pointer);
    },
  };
}

export interface OffloadOptions {
  bucket: string;
  /** @default 1 MiB (SQS's limit) */
  threshold?: number | undefined;
}

interface Offloadable {
  body: string;
  attributes?: Record<string, { DataType?: string; StringValue?: string; BinaryValue?: Uint8Array }> | undefined;
}

type Attribute = { DataType: string; StringValue?: string; BinaryValue?: Uint8Array };

/**
 * Stores the body in S3 when body plus attributes exceed the threshold, and returns the
 * pointer body, the attributes with ExtendedPayloadSize added, and where the object is
 * (to delete it if the message is never sent); undefined when it fits.
 */
export async function offload(
  store: PayloadStore,
  entry: Offloadable,
  options: OffloadOptions,
): Promise<{ body: string; attributes: Record<string, Attribute>; stored: { bucket: string; key: string } } | undefined> {
  if (!isLarge(messageBytes(entry.body, entry.attributes), options.threshold ?? DEFAULT_THRESHOLD)) return undefined;
  const key = await store.put(options.bucket, entry.body);
  const { body, attributes } = pointerMessage(options.bucket, key, entry);
  return { body, attributes: attributes as Record<string, Attribute>, stored: { bucket: options.bucket, key } };
}
