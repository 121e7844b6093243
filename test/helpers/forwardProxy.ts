/**
 * A real forward proxy (TooTallNate's `proxy` package) on 127.0.0.1 port 0, for the tests of
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY. It logs every CONNECT and every forwarded request
 * (`CONNECT host:port`, `GET http://host/path`). `routes` stand in for the proxy's own network:
 * a `host:port` listed there is reached at another address, so a test can name hosts only the
 * proxy can reach. With `auth`, requests without those Basic credentials get a 407.
 * Also a TLS front: https for a plain-http server (the emulators), with a test CA's leaf.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { createProxy } from 'proxy';

export interface ForwardProxy {
  /** http://[user:password@]127.0.0.1:port */
  url: string;
  port: number;
  log: string[];
  /** Connections clients opened to the proxy. */
  connections: number;
  close(): Promise<void>;
}

const withPort = (host: string, scheme: string) => (/:\d+$/.test(host) ? host : `${host}:${scheme === 'https:' ? 443 : 80}`);

export async function startForwardProxy(
  options: { routes?: Record<string, string>; auth?: { user: string; password: string } } = {},
): Promise<ForwardProxy> {
  const routes = options.routes ?? {};
  const log: string[] = [];
  const server = createProxy(http.createServer());
  if (options.auth) {
    const expected = `Basic ${Buffer.from(`${options.auth.user}:${options.auth.password}`).toString('base64')}`;
    server.authenticate = (req) => req.headers['proxy-authorization'] === expected;
  }
  // Ahead of the proxy's own listeners: log, then send a routed host where the route says.
  server.prependListener('connect', (req: http.IncomingMessage) => {
    log.push(`CONNECT ${req.url}`);
    const to = routes[req.url ?? ''];
    if (to) req.url = to;
  });
  server.prependListener('request', (req: http.IncomingMessage) => {
    log.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://invalid');
    const to = routes[withPort(url.host, url.protocol)];
    if (to) req.url = `http://${to}${url.pathname}${url.search}`;
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const auth = options.auth ? `${options.auth.user}:${encodeURIComponent(options.auth.password)}@` : '';
  return {
    url: `http://${auth}127.0.0.1:${port}`,
    port,
    log,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens: a dead proxy. */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** TLS on 127.0.0.1 port 0, each connection piped to the plain-http server at `port`. */
export async function startTlsFront(port: number, certs: { key: string; cert: string }): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: certs.key, cert: certs.cert }, (socket) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
