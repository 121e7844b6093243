// Sample task: posts every message to a webhook (SQSOPS_EXAMPLE_WEBHOOK_URL), e.g. to open
// a ticket. Without the variable it does nothing. A non-2xx answer fails the task, so it
// is retried alone, then parked in the rejects queue. Uses Node's built-in fetch, so the
// file works wherever it is copied.
export default {
  name: 'notify-webhook',
  async run(message) {
    const url = process.env.SQSOPS_EXAMPLE_WEBHOOK_URL;
    if (!url) return;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: message.key, queue: message.queue, body: message.body }),
      signal: AbortSignal.timeout(10_000),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
  },
};
