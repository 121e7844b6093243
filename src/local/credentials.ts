/**
 * The local AWS's own credentials. Without them any local user could receive or delete
 * messages on the port; with them only who can read the state dir (0700) can sign a
 * request. Generated once per state dir on first start, kept 0600 in credentials.json.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { LocalAwsError } from '../core/errors.js';

export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const KEY_RE = /^LSQS[A-Z0-9]{16}$/;

/** A fresh pair: `LSQS` + 16 uppercase letters or digits, and a 40-character secret (as AWS's look). */
export function generateCredentials(): LocalCredentials {
  let id = 'LSQS';
  for (let i = 0; i < 16; i++) id += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
  // 30 random bytes are exactly 40 base64 characters; '+' and '/' are fine in a secret.
  return { accessKeyId: id, secretAccessKey: randomBytes(30).toString('base64') };
}

/** While the daemon runs it keeps the credentials it started with: it must stop before new ones are made. */
const REMAKE = 'stop the local AWS (`sqsops local stop`), then delete it: the next start makes new credentials';

function parse(text: string, path: string): LocalCredentials {
  let value: Partial<LocalCredentials>;
  try {
    value = JSON.parse(text) as Partial<LocalCredentials>;
  } catch (e: unknown) {
    throw new LocalAwsError(`${path} is not valid JSON`, {
      hint: REMAKE,
      cause: e,
    });
  }
  if (
    typeof value.accessKeyId !== 'string' ||
    !KEY_RE.test(value.accessKeyId) ||
    typeof value.secretAccessKey !== 'string' ||
    value.secretAccessKey.length < 20
  ) {
    throw new LocalAwsError(`${path} does not hold local AWS credentials`, {
      hint: REMAKE,
    });
  }
  return { accessKeyId: value.accessKeyId, secretAccessKey: value.secretAccessKey };
}

/** The credentials of a state dir, or undefined before its first start. */
export function readCredentials(path: string): LocalCredentials | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LocalAwsError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'the state dir belongs to the user who started the local AWS; use your own SQSOPS_HOME',
      cause: e,
    });
  }
  return parse(text, path);
}

/**
 * Reads the credentials, creating them if there are none. The file appears whole or not at
 * all (written aside, then hard-linked into place, which fails if another start won the race).
 */
export function loadOrCreateCredentials(path: string): LocalCredentials {
  const existing = readCredentials(path);
  if (existing) return existing;
  const fresh = generateCredentials();
  const aside = `${path}.${process.pid}.tmp`;
  writeFileSync(aside, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600 });
  try {
    linkSync(aside, path);
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    rmSync(aside, { force: true });
  }
  return readCredentials(path) ?? fresh;
}
