/**
 * A worker's live endpoint: `/metrics` (Prometheus text), `/healthz` (the process is alive
 * and serving) and `/readyz` (connected and not draining: 503 from the stop signal on, so
 * an orchestrator sends no more traffic while in-flight work finishes). Bound to loopback
 * unless a host is given: what a worker processes is nobody else's business by default.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AwsClients } from '../../aws/clients.js';
import { UsageError } from '../../core/errors.js';
import type { Metrics } from '../../core/metrics.js';
import type { ProcessObserver } from './observer.js';
import { workerRegistry } from './prometheus.js';
import { watchQueue, type QueueWatch, type QueueWatchOptions } from './queueWatch.js';

export interface MetricsServerOptions {
  port: number;
  /** @default 127.0.0.1 */
  host?: string;
  metrics: Metrics;
  clients: AwsClients;
  /** True from the stop signal on: /readyz answers 503. */
  draining: () => boolean;
  notify?: (message: string) => void;
  /** How often the queue is polled for its gauges. */
  queue?: Omit<QueueWatchOptions, 'notify'>;
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464 */
  url: string;
  /** Pass to processSqs: it tells the server when the run is connected, and each acknowledged batch. */
  observer: ProcessObserver;
  close(): Promise<void>;
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        reject(
          new UsageError(`--metrics-port ${port} on ${host} is already in use`, {
            hint: 'pick a free port (or 0 for any), or stop the program using it',
            cause: e,
          }),
        );
      } else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EACCES') {
        reject(
          new UsageError(`cannot serve metrics on ${host}:${port} (${e.code})`, {
            hint: 'check --metrics-host and --metrics-port',
            cause: e,
          }),
        );
      } else reject(e);
    });
    server.listen(port, host, () => resolve());
  });
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  let watch: QueueWatch | undefined;
  let connected = false;
  const worker = await workerRegistry(
    options.metrics,
    () => watch?.latest() ?? { visible: null, notVisible: null, delayed: null, oldestAgeSeconds: null },
  );
  const answer = (res: http.ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, 'method not allowed');
    if (path === '/healthz') return answer(res, 200, 'ok');
    if (path === '/readyz') {
      if (options.draining()) return answer(res, 503, 'draining: finishing in-flight work, receiving no more');
      return connected ? answer(res, 200, 'ready') : answer(res, 503, 'starting: not connected yet');
    }
    if (path !== '/metrics') return answer(res, 404, 'not found: /metrics, /healthz, /readyz');
    worker.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': worker.registry.contentType }).end(text),
      (e: unknown) => answer(res, 500, `cannot collect metrics: ${(e as Error).message}`),
    );
  });
  // A scraper's kept-alive connection must not hold the process open at the end.
  server.keepAliveTimeout = 5_000;
  await listen(server, options.port, host);
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    observer: {
      started(state) {
        worker.attach(state);
        watch = watchQueue(options.clients, { name: state.queueName, url: state.queueUrl }, { ...options.queue, notify: options.notify });
        connected = true;
      },
      acknowledged: (count, seconds) => worker.observe(count, seconds),
    },
    async close() {
      watch?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
