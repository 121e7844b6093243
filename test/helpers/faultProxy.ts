/**
 * A server that fails on purpose, at the network edge: it forwards to the real
 * emulator, except for the requests a rule picks, which get a 5xx or a cut socket.
 * Used only for faults the emulators cannot be made to produce.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultRule {
  /** Matches the X-Amz-Target header (e.g. "AmazonSQS.SendMessageBatch"). */
  target: string;
  /** How many matching requests fail before they pass again. */
  times: number;
  /** hold: forward it, but keep the answer until release() (a response late on purpose). */
  kind: 'status500' | 'reset' | 'awsError' | 'hold';
  /** kind 'awsError': the AWS error answered (JSON protocol), e.g. { status: 403, type: 'PurgeQueueInProgress' }. */
  error?: { status: number; type: string; message?: string };
}

export interface FaultProxy {
  endpoint: string;
  /** Requests the proxy failed on purpose, per target. */
  injected: Record<string, number>;
  addRule(rule: FaultRule): void;
  /** Resolves when a held request has been answered upstream and is being kept back. */
  held(): Promise<void>;
  /** Sends every answer kept back. */
  release(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const rules: FaultRule[] = [];
  const injected: Record<string, number> = {};
  const up = new URL(upstream);
  const kept: (() => void)[] = [];
  let released = false;
  let onHeld: () => void = () => undefined;
  const heldOnce = new Promise<void>((resolve) => (onHeld = resolve));
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const rule = rules.find((r) => r.target === target && r.times > 0);
    const hold = rule?.kind === 'hold';
    if (rule) {
      rule.times--;
      injected[target] = (injected[target] ?? 0) + 1;
    }
    if (rule && !hold) {
      req.resume();
      if (rule.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (rule.kind === 'awsError' && rule.error) {
        res.writeHead(rule.error.status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({ __type: `com.amazonaws.sqs#${rule.error.type}`, message: rule.error.message ?? 'injected by the fault proxy' }),
        );
        return;
      }
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'InternalError', message: 'injected by the fault proxy' }));
      return;
    }
    const forward = http.request(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers, agent },
      (upRes) => {
        const send = () => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        };
        if (!hold || released) return send();
        kept.push(send);
        onHeld();
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    injected,
    addRule: (r) => rules.push({ ...r }),
    held: () => heldOnce,
    release: () => {
      released = true;
      for (const send of kept.splice(0)) send();
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
