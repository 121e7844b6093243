/**
 * The embedded local AWS: fauxqs (SQS, SNS, S3) and dynalite (DynamoDB) behind one
 * HTTP endpoint on 127.0.0.1. Requests are dispatched in-process (no proxy hop):
 * DynamoDB's JSON protocol is recognised by its `X-Amz-Target: DynamoDB_*` header,
 * everything else is fauxqs's, which already tells SQS, SNS and S3 apart itself.
 * Every request must first pass the SigV4 check against this server's credentials.
 */
import http from 'node:http';
import net from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalAwsError } from '../core/errors.js';
import { applyFauxqsPatches, applyFauxqsUnicodeFix } from './fauxqsPatches.js';
import { applyRegionalListQueues } from './fauxqsRegions.js';
import { applyFauxqsDiskFullGuards } from './fauxqsDiskFull.js';
import { applyDynalitePatches } from './dynalitePatches.js';
import { generateCredentials, type LocalCredentials } from './credentials.js';
import { requireSignature } from './authGate.js';
import { cloudWatchHandler, isCloudWatch, type InspectQueue } from './cloudwatch.js';
import { applyPurgeRule } from './purgeRule.js';

export interface LocalAwsOptions {
  /** State directory; omit to keep everything in memory (tests). */
  dataDir?: string;
  /** @default 0 (any free port) */
  port?: number;
  /** Called on every request, for idle tracking. */
  onRequest?: () => void;
  /** Answers `GET /_sqsops/health` with these extra fields. */
  info?: Record<string, unknown>;
  /** The only credentials requests may be signed with. @default a fresh random pair, see `LocalAws.credentials` */
  credentials?: LocalCredentials;
}

export interface LocalAws {
  readonly endpoint: string;
  readonly port: number;
  /** What clients must sign with (`createClients` takes them in the local target). */
  readonly credentials: LocalCredentials;
  stop(): Promise<void>;
}

type RequestListener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * fauxqs's `startFauxqs` always binds 0.0.0.0, which would expose an unauthenticated
 * AWS to the whole network. We let it listen, but only on 127.0.0.1 and a throwaway
 * port, and keep the http.Server so the front endpoint can hand requests to it.
 */
async function startFauxqsOnLoopback(
  dataDir: string | undefined,
): Promise<{ server: http.Server; stop: () => Promise<void>; inspect: InspectQueue }> {
  const { startFauxqs } = await import('fauxqs');
  await applyFauxqsUnicodeFix();
  await applyRegionalListQueues();
  if (dataDir) {
    await applyFauxqsPatches();
    await applyFauxqsDiskFullGuards(dataDir);
  }
  await applyPurgeRule();
  const original = net.Server.prototype.listen;
  let captured: http.Server | undefined;
  net.Server.prototype.listen = function patchedListen(this: net.Server, ...args: unknown[]) {
    captured = this as http.Server;
    const [first] = args;
    if (first !== null && typeof first === 'object') {
      args[0] = { ...(first as object), host: '127.0.0.1', port: 0 };
    }
    return (original as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof original;
  try {
    const fauxqs = await startFauxqs({
      port: 0,
      logger: false,
      ...(dataDir ? { dataDir: join(dataDir, 'fauxqs'), s3StorageDir: join(dataDir, 's3') } : {}),
    });
    if (!captured) throw new LocalAwsError('fauxqs started without an HTTP server we could reach');
    return { server: captured, stop: () => fauxqs.stop(), inspect: (name) => fauxqs.inspectQueue(name) };
  } finally {
    net.Server.prototype.listen = original;
  }
}

async function startDynalite(dataDir: string | undefined): Promise<{ server: http.Server; stop: () => Promise<void> }> {
  const { default: dynalite } = await import('dynalite');
  if (dataDir) applyDynalitePatches();
  // Tables become ACTIVE at once: nothing local benefits from the 500 ms CREATING state.
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(dataDir ? { path: join(dataDir, 'dynamodb') } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    server,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const { dataDir, port = 0 } = options;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const dynamo = await startDynalite(dataDir);
  let faux: Awaited<ReturnType<typeof startFauxqsOnLoopback>>;
  try {
    faux = await startFauxqsOnLoopback(dataDir);
  } catch (e) {
    await dynamo.stop();
    throw e;
  }
  const toFauxqs = (req: http.IncomingMessage, res: http.ServerResponse) => faux.server.emit('request', req, res);
  const toDynamo = (req: http.IncomingMessage, res: http.ServerResponse) => dynamo.server.emit('request', req, res);
  const toCloudWatch = cloudWatchHandler(faux.inspect);

  const credentials = options.credentials ?? generateCredentials();
  const dispatch = requireSignature(credentials, (req, res) => {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith('DynamoDB')) toDynamo(req, res);
    else if (isCloudWatch(req.headers)) toCloudWatch(req, res);
    else toFauxqs(req, res);
  });
  const handler: RequestListener = (req, res) => {
    options.onRequest?.();
    // Unsigned on purpose: it tells only that this is sqsops's local AWS, and which one.
    if (req.url === '/_sqsops/health') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, pid: process.pid, ...options.info }));
      return;
    }
    dispatch(req, res);
  };
  const front = http.createServer({ keepAliveTimeout: 65_000 }, handler);
  try {
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.listen(port, '127.0.0.1', () => resolve());
    });
  } catch (e: unknown) {
    await Promise.allSettled([faux.stop(), dynamo.stop()]);
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new LocalAwsError(`port ${port} on 127.0.0.1 is already in use by another program`, {
        hint: 'set SQSOPS_LOCAL_PORT to a free port (or 0 for any), or stop the program using it',
        cause: e,
      });
    }
    throw new LocalAwsError(`could not listen on 127.0.0.1:${port}: ${(e as Error).message}`, { cause: e });
  }
  const actualPort = (front.address() as net.AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    credentials,
    async stop() {
      await new Promise<void>((resolve) => {
        front.close(() => resolve());
        front.closeAllConnections();
      });
      await Promise.allSettled([faux.stop(), dynamo.stop()]);
    },
  };
}
