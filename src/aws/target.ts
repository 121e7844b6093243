/**
 * Target resolution: real AWS when the user configured anything that points at it,
 * otherwise the embedded local AWS. Local versus real is only endpoint and
 * credentials; nothing downstream asks which one it got, except to decide whether a
 * missing default resource may be created and whether a destructive command must ask.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AccessError, UsageError } from '../core/errors.js';
import { isAwsRegion } from '../core/regions.js';
import { DEFAULTS } from '../config.js';

export type Service = 'sqs' | 'sns' | 'dynamodb' | 's3' | 'cloudwatch';
/** CloudWatch is read only by `stats` (the age of the oldest message), never locally. */
export const SERVICES: readonly Service[] = ['sqs', 'sns', 'dynamodb', 's3', 'cloudwatch'];

export interface TargetFlags {
  endpointUrl?: string;
  region?: string;
  profile?: string;
}

export type TargetChoice =
  | { kind: 'local'; region: string }
  | {
      kind: 'aws';
      region?: string;
      profile?: string;
      /** Per-service endpoint overrides (--endpoint-url, AWS_ENDPOINT_URL[_SVC]). */
      endpoints: Partial<Record<Service, string>>;
      /** What made us pick real AWS, for the target line. */
      reason: string;
    };

const LOCAL_REGION = DEFAULTS.region;

function validUrl(value: string, source: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return value.replace(/\/+$/, '');
  } catch {
    throw new UsageError(`${source} is not an http(s) URL: "${value}"`, {
      hint: 'use a URL such as http://127.0.0.1:4566',
    });
  }
}

/** Pure: decides the target from flags and environment. */
export function chooseTarget(flags: TargetFlags, env: NodeJS.ProcessEnv): TargetChoice {
  const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region !== undefined && !isAwsRegion(region)) {
    throw new UsageError(`"${region}" is not an AWS region`, { hint: 'use a region such as us-east-1 or eu-west-1' });
  }
  const forced = env.SQSOPS_TARGET?.trim().toLowerCase();
  if (forced && forced !== 'aws' && forced !== 'local') {
    throw new UsageError(`SQSOPS_TARGET must be "aws" or "local", not "${env.SQSOPS_TARGET}"`);
  }
  if (forced === 'local' && !flags.endpointUrl && !flags.profile) return { kind: 'local', region: region ?? LOCAL_REGION };

  const endpoints: Partial<Record<Service, string>> = {};
  const shared = flags.endpointUrl ?? env.AWS_ENDPOINT_URL;
  const sharedSource = flags.endpointUrl ? '--endpoint-url' : 'AWS_ENDPOINT_URL';
  for (const service of SERVICES) {
    const specific = env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`];
    // A flag beats the environment; a service-specific variable beats the shared one.
    if (flags.endpointUrl) endpoints[service] = validUrl(flags.endpointUrl, '--endpoint-url');
    else if (specific) endpoints[service] = validUrl(specific, `AWS_ENDPOINT_URL_${service.toUpperCase()}`);
    else if (shared) endpoints[service] = validUrl(shared, sharedSource);
  }
  const profile = flags.profile ?? env.AWS_PROFILE;
  let reason: string | undefined;
  if (flags.endpointUrl) reason = '--endpoint-url';
  else if (flags.profile) reason = '--profile';
  else if (Object.keys(endpoints).length > 0) reason = shared ? 'AWS_ENDPOINT_URL' : 'AWS_ENDPOINT_URL_<SERVICE>';
  else if (forced === 'aws') reason = 'SQSOPS_TARGET=aws';
  else if (env.AWS_PROFILE) reason = 'AWS_PROFILE';
  else if (env.AWS_ACCESS_KEY_ID) reason = 'AWS_ACCESS_KEY_ID';
  else if (env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) {
    reason = 'AWS workload credentials';
  }
  if (!reason) return { kind: 'local', region: region ?? LOCAL_REGION };
  return {
    kind: 'aws',
    region,
    profile,
    endpoints,
    reason,
  };
}

const PROFILE_WAY_OUT: Record<string, string> = {
  AWS_PROFILE: ', or unset AWS_PROFILE',
  'AWS_PROFILE in ./.env': ', or remove AWS_PROFILE from ./.env',
};

/** The files the SDK reads profiles from (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, else ~/.aws). */
function profileFiles(env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  return [env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'), env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials')];
}

/**
 * Refuses a profile no file defines. Without this the SDK goes on with an empty profile
 * and fails later on what it lacks ("no region", "no credentials"), not on the typo.
 */
export function checkProfile(profile: string, source: string, env: NodeJS.ProcessEnv): void {
  const header = new RegExp(`^\\s*\\[\\s*(profile\\s+)?${profile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\]`, 'm');
  const files = profileFiles(env);
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // a missing file defines nothing
    }
    if (header.test(text)) return;
  }
  throw new AccessError(`AWS profile "${profile}" (from ${source}) is not defined in ${files.join(' or ')}`, {
    hint: `check the name (\`aws configure list-profiles\` lists them)${PROFILE_WAY_OUT[source] ?? ''}`,
  });
}
