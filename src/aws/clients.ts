/**
 * Builds the SDK v3 clients for a target. Clients are created on first use, and
 * their modules imported then, so a command pays only for the services it calls.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Service, TargetChoice } from './target.js';
import { addSecret } from '../core/redact.js';
import { checkProxyVariables } from '../core/proxy.js';
import { tagTarget } from './errors.js';
import { attemptDelivery, tagDelivery, worse, type Delivery } from '../core/delivery.js';
import { agentsFor, anyProxyVariable, awsEndpoint, POOL, type ProxyUse } from './proxyAgents.js';
import { DEFAULTS } from '../config.js';

/** Where one call's attempts leave what they say about delivery (the context outlives the SDK's retries). */
const DELIVERY = 'sqsopsDelivery';

type Handler = (args: unknown) => Promise<unknown>;
interface MiddlewareAdder {
  add(
    middleware: (next: Handler, context: Record<string, unknown>) => Handler,
    options: { step: 'initialize' | 'deserialize'; name: string; priority?: 'high' },
  ): void;
  remove(name: string): boolean;
}

/** Where the commands run, as the target line and the rest of the program see it. */
export type ResolvedTarget =
  | {
      kind: 'local';
      region: string;
      endpoint: string;
      /** The local AWS's own credentials (credentials.json in the state dir, or `LocalAws.credentials`). */
      credentials: { accessKeyId: string; secretAccessKey: string };
      home?: string;
      startedNow?: boolean;
      /** Entries of the state dir made private on this start (they were open to other users). */
      tightened?: number;
      /** Which missing resources may be created (see pipeline/resources.ts). @default 'any' */
      autoCreate?: 'defaults' | 'any';
    }
  | (Extract<TargetChoice, { kind: 'aws' }> & {
      /** Explicit credentials; otherwise the SDK's default provider chain. */
      credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    });

export interface AwsClients {
  readonly target: ResolvedTarget;
  sqs(): Promise<SQSClient>;
  sns(): Promise<SNSClient>;
  dynamodb(): Promise<DynamoDBDocumentClient>;
  s3(): Promise<S3Client>;
  cloudwatch(): Promise<CloudWatchClient>;
  endpointOf(service: Service): string | undefined;
  destroy(): void;
}

type Tracked = { destroy(): void; middlewareStack: { add(...a: never[]): void } };

function memo<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

export function createClients(target: ResolvedTarget): AwsClients {
  // Whatever these clients sign with (the local AWS's generated secret too) is never printed.
  addSecret(...secretsOf(target));
  // The embedded local AWS is never proxied; anywhere else a proxy variable sqsops cannot use is said before any call.
  const proxied = target.kind === 'aws' && anyProxyVariable();
  if (proxied) checkProxyVariables();
  const created: { destroy(): void }[] = [];
  const open = opener(target, proxied, created);
  const endpointOf = (service: Service) => endpointFor(target, service);
  return {
    target,
    endpointOf,
    sqs: memo(async () => {
      const { SQSClient } = await import('@aws-sdk/client-sqs');
      return open('sqs', (c) => new SQSClient(c));
    }),
    sns: memo(async () => {
      const { SNSClient } = await import('@aws-sdk/client-sns');
      return open('sns', (c) => new SNSClient(c));
    }),
    dynamodb: memo(async () => {
      const [{ DynamoDBClient }, { DynamoDBDocumentClient }] = await Promise.all([
        import('@aws-sdk/client-dynamodb'),
        import('@aws-sdk/lib-dynamodb'),
      ]);
      const raw: DynamoDBClient = open('dynamodb', (c) => new DynamoDBClient(c));
      return DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    }),
    s3: memo(async () => {
      const { S3Client } = await import('@aws-sdk/client-s3');
      // Path-style: the local endpoint (and most S3-compatible ones) has no wildcard DNS for buckets.
      return open('s3', (c) => new S3Client({ ...c, forcePathStyle: endpointOf('s3') !== undefined }));
    }),
    cloudwatch: memo(async () => {
      const { CloudWatchClient } = await import('@aws-sdk/client-cloudwatch');
      return open('cloudwatch', (c) => new CloudWatchClient(c));
    }),
    destroy() {
      for (const c of created) c.destroy();
    },
  };
}

function endpointFor(target: ResolvedTarget, service: Service): string | undefined {
  return target.kind === 'local' ? target.endpoint : target.endpoints[service];
}

type RegionOf = () => Promise<string | undefined>;

/** One client's configuration: where it sends, what it signs with, and through which agents. */
function clientConfig(target: ResolvedTarget, proxied: boolean, service: Service, use: ProxyUse, regionOf: RegionOf) {
  const endpoint = endpointFor(target, service);
  const agents = proxied
    ? // A provider, which the SDK awaits before the first request: AWS's own endpoint needs the region, which a profile may hold.
      async () => agentsFor(endpoint ?? awsEndpoint(service, target.region ?? (await regionOf()) ?? DEFAULTS.region), use)
    : { httpAgent: POOL, httpsAgent: POOL };
  return {
    region: target.region,
    endpoint,
    credentials: target.credentials,
    ...(target.kind === 'aws' && target.profile ? { profile: target.profile } : {}),
    // NodeHttpHandler.create takes a provider of its options too; the client config's type does not say so.
    requestHandler: agents as unknown as Record<string, unknown>,
  };
}
type ClientConfig = ReturnType<typeof clientConfig>;

/** Makes a client from its config, instruments it, and tracks it (with its agents) for `destroy`. */
function opener(target: ResolvedTarget, proxied: boolean, created: { destroy(): void }[]) {
  return <T extends Tracked>(service: Service, make: (config: ClientConfig) => T): T => {
    const use: ProxyUse = { agents: [] };
    let client: T | undefined;
    const regionOf = async (): Promise<string | undefined> => {
      // The SDK calls the handler's provider inside the constructor: wait for it to return.
      await null;
      return (client as unknown as { config: { region(): Promise<string> } }).config.region().catch(() => undefined);
    };
    client = make(clientConfig(target, proxied, service, use, regionOf));
    created.push(client, {
      destroy() {
        for (const a of use.agents) a.destroy();
      },
    });
    instrument(client, target, use);
    return client;
  };
}

function instrument(client: Tracked, target: ResolvedTarget, use: ProxyUse): void {
  const stack = client.middlewareStack as unknown as MiddlewareAdder;
  // We give the SDK no logger, yet its logger middleware still copies every request and
  // response through their sensitive-field filters for a no-op logger: about 4% of
  // produce's CPU, on every call. Without it nothing is logged, as before.
  stack.remove('loggerMiddleware');
  // Errors carry the target they came from, so a hint can tell the local AWS from an --endpoint-url,
  // and whether any attempt may have reached the server (core/delivery.ts): a 5xx then a refused
  // connection still may have stored what was sent.
  stack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (e: unknown) {
        tagTarget(e, target.kind, use.proxy);
        if (context[DELIVERY]) tagDelivery(e, context[DELIVERY] as Delivery);
        throw e;
      }
    },
    { step: 'initialize', name: 'sqsopsTargetTag' },
  );
  stack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (e: unknown) {
        context[DELIVERY] = worse((context[DELIVERY] as Delivery | undefined) ?? 'notSent', attemptDelivery(e));
        throw e;
      }
    },
    { step: 'deserialize', name: 'sqsopsAttemptDelivery', priority: 'high' },
  );
}

/**
 * The secret values this target's clients sign with, for the redaction of everything
 * sqsops prints (the local AWS's generated secret included): register each with the redactor.
 */
export function secretsOf(target: ResolvedTarget): string[] {
  const c = target.credentials;
  if (!c) return [];
  const token = 'sessionToken' in c ? c.sessionToken : undefined;
  return token ? [c.secretAccessKey, token] : [c.secretAccessKey];
}
