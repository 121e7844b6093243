/**
 * Secrets in download lists: URL user info, query strings (pre-signed URLs carry
 * their signature and token there) and request headers. None of them is ever
 * printed: URLs are shown redacted, and any free text is scrubbed of known values.
 */

const MASK = '***';

/**
 * A URL safe to print: user and password masked, every query value masked (keys kept,
 * so `?X-Amz-Signature=***` still tells what it was), the fragment dropped. We mask
 * every value, not a list of "token-like" names, because no list knows every scheme.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return redactText(raw);
  }
  if (url.username) url.username = MASK;
  if (url.password) url.password = MASK;
  url.hash = '';
  if (url.search) {
    const keys = [...url.searchParams.keys()];
    url.search = keys.map((k) => `${encodeURIComponent(k)}=${MASK}`).join('&');
  }
  // URL re-encodes "*"; keep the mask readable.
  return url.href.replaceAll('%2A%2A%2A', MASK);
}

/** For text that is not a parsable URL: cut what follows `?` or `#`, mask anything before an `@` (a user, a password, a token used as user). */
export function redactText(text: string): string {
  return text
    .replace(/(^|[/\s])[^\s/@]+@/g, `$1${MASK}@`)
    .replace(/[?#]\S*/g, `?${MASK}`)
    .replace(/[\u0000-\u001f\u007f]/g, '?');
}

/** The values of a request that must not appear in any output. */
export function secretsOf(url: string, headers: Record<string, string> = {}): string[] {
  const out: string[] = [];
  try {
    const u = new URL(url);
    if (u.username) out.push(decodeURIComponent(u.username));
    if (u.password) out.push(decodeURIComponent(u.password));
    for (const v of u.searchParams.values()) out.push(v);
    if (u.search) out.push(u.search.slice(1));
  } catch {
    // An unparsable URL never reaches a request; nothing to collect.
  }
  for (const v of Object.values(headers)) {
    out.push(v);
    // "Bearer abc": the credential alone may also show up in a message.
    const parts = v.split(/\s+/);
    if (parts.length > 1) out.push(...parts.slice(1));
  }
  // Very short values ("1", "en") would mask ordinary words and protect nothing.
  return [...new Set(out.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of the given secrets in a message. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(MASK);
  return out;
}
