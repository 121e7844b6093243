/**
 * Where the adapters and the embedded local AWS meet: resolve the target, start the local
 * AWS when it is the target, open the clients, and say where a command runs. Its own layer
 * so that `aws/` never depends on `local/`: the adapters only see an endpoint and credentials.
 */
import { checkProfile, chooseTarget, type TargetFlags } from '../aws/target.js';
import { createClients, type AwsClients, type ResolvedTarget } from '../aws/clients.js';
import { sqsopsHome } from '../local/paths.js';
import { ensureLocalAws, localCredentials, localMemoryFromEnv } from '../local/manager.js';
import { tightenedNote } from '../local/privacy.js';
import { DEFAULTS } from '../config.js';
import { parseIntFlag } from '../core/flags.js';
import { redactUrl } from '../core/redact.js';

export interface ConnectOptions extends TargetFlags {
  env?: NodeJS.ProcessEnv;
  /** Overrides SQSOPS_HOME. */
  home?: string;
  /**
   * On the local AWS, which missing resources commands may create: 'defaults' only the
   * default names (the CLI: a typo creates nothing), 'any' whatever name is asked for.
   * @default 'any'
   */
  autoCreate?: 'defaults' | 'any';
  /** Variables ./.env set (names only), so an error can say a setting came from there. */
  fromDotEnv?: string[];
  /** The built daemon script (tests). */
  daemonPath?: string;
  /** Told, in a sentence, when the local AWS takes long to start because it loads a large stored state. */
  onWait?: (message: string) => void;
  /** Ends a wait for the local AWS to start (it goes on starting in the background). */
  signal?: AbortSignal;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name]?.trim();
  return raw ? parseIntFlag(name, raw, { min: 0, max }) : fallback;
}

/**
 * Resolves the target and returns its clients; on the local target this starts the
 * embedded local AWS if it is not already running.
 */
export async function connect(options: ConnectOptions = {}): Promise<AwsClients> {
  const env = options.env ?? process.env;
  const choice = chooseTarget(options, env);
  if (choice.kind === 'aws') {
    const fromEnv = options.fromDotEnv?.includes('AWS_PROFILE') ? 'AWS_PROFILE in ./.env' : 'AWS_PROFILE';
    if (choice.profile) checkProfile(choice.profile, options.profile ? '--profile' : fromEnv, env);
    return createClients(choice);
  }
  const home = options.home ?? sqsopsHome(env);
  const { server, started, tightened } = await ensureLocalAws({
    home,
    port: intFromEnv(env, 'SQSOPS_LOCAL_PORT', DEFAULTS.localPort, 65535),
    idleMinutes: intFromEnv(env, 'SQSOPS_LOCAL_IDLE_MINUTES', DEFAULTS.idleMinutes, 10_080),
    daemonPath: options.daemonPath,
    onWait: options.onWait,
    memoryMb: localMemoryFromEnv(env),
    signal: options.signal,
  });
  return createClients({
    kind: 'local',
    region: choice.region,
    endpoint: server.endpoint,
    credentials: localCredentials(home),
    home,
    startedNow: started,
    tightened,
    autoCreate: options.autoCreate,
  });
}

/** One line on stderr that says where the command runs (two when the state dir was just made private). */
export function describeTarget(target: ResolvedTarget, fromDotEnv: string[] = []): string {
  // Names only, never values: a .env holds secrets too.
  const settings = fromDotEnv.filter((k) => /^(AWS|SQSOPS)_/.test(k)).sort();
  const dotenv = settings.length ? `; from ./.env: ${settings.join(', ')}` : '';
  if (target.kind === 'local') {
    const state = target.home ? ` (state ${target.home})` : '';
    const line = `target: local AWS at ${target.endpoint}${state}${target.startedNow ? ', started now' : ''}${dotenv}`;
    return target.tightened && target.home ? `${line}\n${tightenedNote(target.home, target.tightened)}` : line;
  }
  const parts = [`region ${target.region ?? '(from profile)'}`];
  if (target.profile) parts.push(`profile ${target.profile}`);
  // Every query value and the user info masked: an endpoint can carry a token of any name.
  const endpoints = [...new Set(Object.values(target.endpoints).map((e) => (/[@?#]/.test(e) ? redactUrl(e) : e)))];
  if (endpoints.length) parts.push(`endpoint ${endpoints.join(', ')}`);
  const reason = fromDotEnv.includes(target.reason) ? `${target.reason} in ./.env` : target.reason;
  return `target: AWS ${parts.join(', ')} (chosen by ${reason})${dotenv}`;
}
