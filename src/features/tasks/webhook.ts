/**
 * The built-in failure task: a Slack-compatible incoming-webhook notification (JSON
 * `{ text }` POSTed with undici). The URL is a secret (the path is the token): it is
 * read from the environment and never printed, not even in errors. Behind a proxy it goes
 * through HTTPS_PROXY / HTTP_PROXY, as every AWS call and download does (core/proxy.ts).
 */
import { proxyFor } from '../../core/proxy.js';
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
      const { request, ProxyAgent } = await import('undici');
      const proxy = proxyFor(url);
      // One per notification: failures are rare, and nothing is left open between them.
      const dispatcher = proxy ? new ProxyAgent({ uri: proxy, proxyTunnel: false }) : undefined;
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(url, {
          ...(dispatcher ? { dispatcher } : {}),
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: webhookText(message.queue, message.key, ctx.failures ?? []) }),
          headersTimeout: options.timeoutMs ?? 10_000,
          bodyTimeout: options.timeoutMs ?? 10_000,
        });
      } catch (e: unknown) {
        // undici's message can carry the URL: say only what kind of failure it was.
        await dispatcher?.destroy();
        throw new Error(
          `webhook unreachable${proxy ? ' through the proxy' : ''} (${(e as NodeJS.ErrnoException).code ?? (e as Error).name})`,
        );
      }
      await res.body.dump();
      await dispatcher?.close();
      if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`webhook answered HTTP ${res.statusCode}`);
    },
  };
}
