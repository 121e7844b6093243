/**
 * User handler modules as sinks. A module may export a whole Sink (`write(batch)`),
 * or a per-message function `handle(message)` (also as the default export), which is
 * wrapped: each message's throw is its own failure, retryable unless the error says
 * `retryable: false`.
 */
import { pathToFileURL } from 'node:url';
import { resolve, basename } from 'node:path';
import { UsageError } from '../../../core/errors.js';
import { writeEach, type Sink, type SinkMessage, type SinkResult } from './types.js';

export type MessageHandler = (message: SinkMessage) => Promise<void> | void;

export function sinkFromHandler(name: string, handle: MessageHandler): Sink {
  return {
    name: `handler:${name}`,
    // What a user's handle() returns is not ours to read: only the tasks sink routes to rejects.
    write: (batch): Promise<SinkResult> =>
      writeEach(batch, async (m) => {
        await handle(m);
      }),
    async close() {},
  };
}

export async function loadHandlerSink(path: string): Promise<Sink> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ERR_MODULE_NOT_FOUND'
        ? `handler ${path} was not found`
        : `handler ${path} could not be loaded: ${(e as Error).message.split('\n')[0]}`,
      { hint: 'give the path of a JavaScript module (.js/.mjs) that exports handle(message) or write(batch)', cause: e },
    );
  }
  const name = basename(path).replace(/\.[cm]?[jt]s$/, '');
  const candidate = (mod.default && typeof mod.default === 'object' ? mod.default : mod) as Record<string, unknown>;
  if (typeof candidate.write === 'function') {
    return {
      name: typeof candidate.name === 'string' ? candidate.name : `handler:${name}`,
      write: (candidate.write as Sink['write']).bind(candidate),
      ...(typeof candidate.open === 'function' ? { open: (candidate.open as NonNullable<Sink['open']>).bind(candidate) } : {}),
      close: typeof candidate.close === 'function' ? (candidate.close as Sink['close']).bind(candidate) : async () => {},
    };
  }
  const fn = typeof mod.handle === 'function' ? mod.handle : typeof mod.default === 'function' ? mod.default : undefined;
  if (!fn)
    throw new UsageError(`handler ${path} exports neither handle(message) nor write(batch)`, {
      hint: 'export async function handle(message) { ... }',
    });
  return sinkFromHandler(name, fn as MessageHandler);
}
