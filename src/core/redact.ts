/**
 * The one redaction module. Every line sqsops writes (errors, --debug stacks, action logs,
 * summaries, the Lambda's logs) passes through `redact`, which works on any text and never
 * depends on a parse succeeding: a replica-set URL or a half-typed connection string is not
 * a valid WHATWG URL, and those are exactly the strings that used to be echoed whole.
 * Two layers: shapes (user:password@, Password=, token-like query parameters and headers,
 * Bearer credentials) and known values (registered at start, replaced wherever they occur).
 */

export const MASK = '***';

/** Known secret values; a value shorter than this would mask ordinary words and protect nothing. */
const MIN_SECRET_LENGTH = 4;
const known = new Set<string>();
let knownSorted: string[] = [];

/** A field name that says its value is a credential (JSON key); not a bare "key", which our logs use for message keys. */
const SECRET_WORDS = 'pass(?:word|wd)|pwd|secret|token|signature|credential|api[-_]?key|access[-_]?key|authorization|cookie';
const SECRET_FIELD = `[\\w.-]*(?:${SECRET_WORDS})[\\w.-]*`;
/** A query parameter that carries a credential: the above, plus sig, auth and key (?key=, &api_key=, ;sas-key=). */
const SECRET_PARAM = `(?:${SECRET_FIELD}|[\\w.-]*(?:sig|auth)[\\w.-]*|(?:[\\w.-]*[-_.])?key)`;

const SECRET_NAME = new RegExp(`^${SECRET_FIELD}$`, 'i');

/** Whether a field's name says its value is a credential ("password", "apiKey", "x-amz-security-token"). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

const SHAPES: [RegExp, string][] = [
  // user:password@ after "//" (any scheme, malformed ones like "mssql//" too; multi-host URLs).
  // Greedy to the last "@" of the token: a password may hold an unencoded "@", ":" or ",".
  [/(\/\/[^\s/@:"'<>`]*):[^\s"'<>`]*@/g, `$1:${MASK}@`],
  // A token used as the user alone: //ghp_abc@host.
  [/\/\/[^\s/@:"'<>`]+@/g, `//${MASK}@`],
  // user:password@host without "//" (scp-like or a scheme that lost its slashes).
  [/(^|[\s"'(=,;<])([\w.%+-]+):(?!\*\*\*@)[^\s/"'<>`@]+@(?=[\w[])/g, `$1$2:${MASK}@`],
  // ADO strings: Password=..., Pwd=..., quoted or braced values (which may hold ";") masked whole.
  [/\b(password|pwd)(\s*=\s*)("[^"]*"|'[^']*'|\{[^}]*\}|[^;\r\n"]*)/gi, `$1$2${MASK}`],
  // Token-like query parameters: ?X-Amz-Signature=..., &access_token=..., ;sig=...
  [new RegExp(`([?&;]${SECRET_PARAM}=)[^&#;\\s"'<>\`]*`, 'gi'), `$1${MASK}`],
  // JSON-ish "password": "value" and header lines "Authorization: value".
  [new RegExp(`("${SECRET_FIELD}"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*"`, 'gi'), `$1${MASK}"`],
  [/\b((?:proxy-)?authorization|(?:set-)?cookie|x-api-key|api-key|x-auth-token|x-amz-security-token)(\s*:\s*)[^\r\n"]*/gi, `$1$2${MASK}`],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/g, `Bearer ${MASK}`],
  // Basic credentials are base64: a plain word after "Basic" ("Basic validation") is left alone.
  [/\bBasic\s+(?=[A-Za-z]*[0-9+/=])[A-Za-z0-9+/]{6,}={0,2}/g, `Basic ${MASK}`],
  // NAME=value of an environment variable that names a credential (AWS_SECRET_ACCESS_KEY=...).
  [/\b([A-Z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASSWD|PWD)[A-Z0-9_]*=)[^\s"';]+/g, `$1${MASK}`],
  // Control characters could rewrite the terminal line a secret was masked on.
  [/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '?'],
];

/**
 * Text safe to print: every known secret replaced (the registered ones and `extra`, the
 * secrets of one request), then every secret-looking shape masked.
 */
export function redact(text: string, extra: readonly string[] = []): string {
  let out = String(text);
  for (const s of extra) if (s.length >= MIN_SECRET_LENGTH && out.includes(s)) out = out.split(s).join(MASK);
  for (const s of knownSorted) if (out.includes(s)) out = out.split(s).join(MASK);
  for (const [shape, replacement] of SHAPES) out = out.replace(shape, replacement);
  return out;
}

/**
 * Only the registered secrets replaced, no shape masked: for our own words (hints), whose
 * examples look like secrets (`mongodb://user:password@host`) but may quote a user's value.
 */
export function redactKnown(text: string): string {
  let out = String(text);
  for (const s of knownSorted) if (out.includes(s)) out = out.split(s).join(MASK);
  return out;
}

/** Registers values to be replaced wherever they occur (as written and URL-encoded). */
export function addSecret(...values: (string | undefined)[]): void {
  for (const v of values) {
    if (!v || v.length < MIN_SECRET_LENGTH) continue;
    known.add(v);
    const encoded = encodeURIComponent(v);
    if (encoded !== v) known.add(encoded);
  }
  // Longest first, so a password inside a longer secret is not half-replaced.
  knownSorted = [...known].sort((a, b) => b.length - a.length);
}

/** Environment variables whose values are secrets whatever they look like. */
const ENV_SECRETS = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN'];
/** Environment variables holding connection strings, whose passwords are secrets. */
const ENV_CONNECTIONS = ['SQSOPS_MONGODB_URL', 'SQSOPS_MSSQL_URL'];
/** Endpoints (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SQS, ...) and proxies may carry user:password@ and ?token=. */
const ENV_URL_NAMES = /^(AWS_ENDPOINT_URL(_\w+)?|(https?|all)_proxy)$/i;

/** Registers the secrets of an environment: AWS keys and tokens, and the passwords of connection strings and endpoints. */
export function addEnvSecrets(env: NodeJS.ProcessEnv): void {
  addSecret(...ENV_SECRETS.map((k) => env[k]));
  for (const k of ENV_CONNECTIONS) if (env[k]) addSecret(...secretsOf(env[k]));
  for (const [k, v] of Object.entries(env)) if (v && ENV_URL_NAMES.test(k)) addSecret(...secretsOf(v));
}

/**
 * The secret values inside a URL, a connection string or request headers, found by shape
 * (no parse needed): passwords, token-like query values, header values and their credential.
 */
export function secretsOf(text: string, headers: Record<string, string> = {}): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\/\/[^\s/@:"'<>`]*:([^\s"'<>`]*)@/g)) out.push(m[1]!, safeDecode(m[1]!));
  for (const m of text.matchAll(/\/\/([^\s/@:"'<>`]+)@/g)) out.push(m[1]!);
  for (const m of text.matchAll(/\b(?:password|pwd)\s*=\s*("[^"]*"|'[^']*'|\{[^}]*\}|[^;\r\n"]*)/gi)) {
    out.push(m[1]!.trim().replace(/^["'{](.*)["'}]$/, '$1'));
  }
  for (const m of text.matchAll(new RegExp(`[?&;]${SECRET_PARAM}=([^&#;\\s"'<>\`]*)`, 'gi'))) out.push(m[1]!, safeDecode(m[1]!));
  for (const v of Object.values(headers)) {
    out.push(v);
    // "Bearer abc": the credential alone may also show up in a message.
    const parts = v.split(/\s+/);
    if (parts.length > 1) out.push(...parts.slice(1));
  }
  return [...new Set(out.filter((s) => s.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A URL for display, stricter than `redact`: user and password masked, every query value
 * masked (keys kept, so `?X-Amz-Signature=***` still tells what it was; no list knows every
 * scheme), the fragment dropped. Text that does not parse gets its query cut and `redact`.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return redact(raw.replace(/[?#]\S*/g, `?${MASK}`));
  }
  if (url.username) url.username = MASK;
  if (url.password) url.password = MASK;
  url.hash = '';
  if (url.search) url.search = [...url.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=${MASK}`).join('&');
  // URL re-encodes "*"; keep the mask readable.
  return redact(url.href.replaceAll('%2A%2A%2A', MASK));
}

/** Every string inside a value redacted (for objects about to be serialised, so JSON stays JSON). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  }
  if (value instanceof Error) return redact(value.message) as T;
  return value;
}

/** The same error with its message and stack redacted, for a runtime that prints them itself (Lambda). */
export function redactError(e: unknown): unknown {
  if (!(e instanceof Error)) return typeof e === 'string' ? redact(e) : e;
  e.message = redact(e.message);
  if (e.stack) e.stack = redact(e.stack);
  return e;
}
