/** The failure webhook behind a proxy: sent through HTTP_PROXY / HTTPS_PROXY like every other call. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookTask } from '../../src/features/tasks/webhook.js';
import type { TaskContext } from '../../src/features/tasks/types.js';
import { closedPort, startForwardProxy, type ForwardProxy } from '../helpers/forwardProxy.js';

let receiver: http.Server;
const hooks: string[] = [];
let proxy: ForwardProxy;
const saved = process.env.HTTP_PROXY;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      hooks.push(body);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  proxy = await startForwardProxy({ routes: { 'hooks.proxy.test:80': `127.0.0.1:${port}` } });
});

afterAll(async () => {
  if (saved === undefined) delete process.env.HTTP_PROXY;
  else process.env.HTTP_PROXY = saved;
  await proxy.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

const message = { queue: 'orders', key: 'A-1' } as Parameters<ReturnType<typeof webhookTask>['run']>[0];
const ctx = { failures: [{ task: 'jira', error: 'Jira is down' }] } as unknown as TaskContext;

describe('the failure webhook', () => {
  it('goes through HTTP_PROXY', async () => {
    process.env.HTTP_PROXY = proxy.url;
    await webhookTask('http://hooks.proxy.test/services/T0/B0/secret-path').run(message, ctx);
    expect(proxy.log).toEqual(['POST http://hooks.proxy.test/services/T0/B0/secret-path']);
    expect(JSON.parse(hooks[0]!).text).toMatch(/message A-1 from orders still fails[\s\S]*jira: Jira is down/);
  });

  it('says a dead proxy without its URL or the webhook URL', async () => {
    process.env.HTTP_PROXY = `http://u:hunter22@127.0.0.1:${await closedPort()}`;
    await expect(webhookTask('http://hooks.proxy.test/services/T0/B0/secret-path').run(message, ctx)).rejects.toThrow(
      /^webhook unreachable through the proxy \(ECONNREFUSED\)$/,
    );
  });
});
