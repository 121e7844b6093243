/**
 * SQS's one purge per queue per 60 seconds, kept by the local AWS: a second PurgeQueue on
 * the same queue inside the window is refused with `PurgeQueueInProgress`, as AWS answers
 * it, so what works locally (a script that purges twice) does not break on AWS. fauxqs
 * purges any number of times: the rule wraps its PurgeQueue action where it registers it.
 */

/** How long SQS refuses another purge of a queue after one. */
export const PURGE_WINDOW_MS = 60_000;

/** Pure: is a purge at `now` refused, the queue's last one having been at `lastAt`? */
export function purgeRefused(lastAt: number | undefined, now: number, windowMs = PURGE_WINDOW_MS): boolean {
  return lastAt !== undefined && now - lastAt < windowMs;
}

/** AWS's words for the refusal. */
export const purgeRefusalMessage = (queueName: string) => `Only one PurgeQueue operation on ${queueName} is allowed every 60 seconds.`;

type Handler = (body: { QueueUrl?: string }, store: StoreLike, request: unknown) => unknown;
interface StoreLike {
  getQueue(url: string): object | undefined;
}
interface RouterLike {
  register(action: string, handler: Handler): void;
}
type SqsErrorClass = new (code: string, message: string, statusCode?: number) => Error;

let applied = false;

export async function applyPurgeRule(): Promise<void> {
  if (applied) return;
  applied = true;
  const entry = import.meta.resolve('fauxqs');
  const router = (await import(new URL('./sqs/sqsRouter.js', entry).href)) as { SqsRouter?: { prototype: RouterLike } };
  const errors = (await import(new URL('./common/errors.js', entry).href)) as { SqsError?: SqsErrorClass };
  const proto = router.SqsRouter?.prototype;
  const SqsError = errors.SqsError;
  // A fauxqs that changed its router is left alone.
  if (!proto?.register || !SqsError) return;
  // Keyed by the queue itself: a queue deleted and made again starts with no purge behind it.
  const lastPurge = new WeakMap<object, number>();
  const register = proto.register;
  proto.register = function registerWithRule(this: RouterLike, action, handler) {
    if (action !== 'PurgeQueue') return register.call(this, action, handler);
    const guarded: Handler = (body, store, request) => {
      const queue = body.QueueUrl ? store.getQueue(body.QueueUrl) : undefined;
      const now = Date.now();
      if (queue && purgeRefused(lastPurge.get(queue), now)) {
        throw new SqsError('PurgeQueueInProgress', purgeRefusalMessage((queue as { name?: string }).name ?? ''), 403);
      }
      const result = handler(body, store, request);
      if (queue) lastPurge.set(queue, now);
      return result;
    };
    return register.call(this, action, guarded);
  };
}
