/**
 * The built-in failure task: a Slack-compatible incoming-webhook notification (JSON
 * `{ text }` POSTed with undici). The URL is a secret (the path is the token): it is
 * read from the environment and never printed, not even in errors.
 */
import type { Task } from './types.js';

export const WEBHOOK_ENV = 'SQSOPS_WEBHOOK_URL';

export function webhookText(queue: string, key: string, failures: { task: string; error: string }[]): string {
  const lines = failures.map((f) => `• ${f.task}: ${f.error}`).join('\n');
  return `:rotating_light: sqsops: message ${key} from ${queue} still fails after its retry\n${lines}`;
}

export function webhookTask(url: string, options: { timeoutMs?: number } = {}): Task {
  return {
    name: 'webhook',
    failure: true,
    async run(message, ctx) {
      const { request } = await import('undici');
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: webhookText(message.queue, message.key, ctx.failures ?? []) }),
          headersTimeout: options.timeoutMs ?? 10_000,
          bodyTimeout: options.timeoutMs ?? 10_000,
        });
      } catch (e: unknown) {
        // undici's message can carry the URL: say only what kind of failure it was.
        throw new Error(`webhook unreachable (${(e as NodeJS.ErrnoException).code ?? (e as Error).name})`);
      }
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`webhook answered HTTP ${res.statusCode}`);
    },
  };
}
