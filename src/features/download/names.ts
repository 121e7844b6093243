/**
 * Safe file names for downloads. A name comes from the entry's `path` (checked, never
 * rewritten behind the user's back) or from the URL's last path segment (cleaned).
 * Every name is relative, has no `..`, no control characters, and stays inside the
 * output folder; names that collide get a numbered suffix, in input order.
 */

/** Suffixes the downloader uses beside a final name; a user name may not end in them. */
export const PART_SUFFIX = '.part';
export const META_SUFFIX = '.part.json';
/** Leaves room for `-NNNN` and `.part.json` within the usual 255-byte limit. */
const MAX_SEGMENT_BYTES = 200;
// Windows refuses these as file names whatever the extension; cheap to avoid everywhere.
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export type NameCheck = { ok: true; path: string } | { ok: false; reason: string };

/** Checks a user-given relative path; returns it normalised (`a//./b` → `a/b`) or why not. */
export function checkUserPath(raw: string): NameCheck {
  if (raw.length === 0) return { ok: false, reason: 'path is empty' };
  if (CONTROL.test(raw)) return { ok: false, reason: 'path has a control character' };
  if (raw.includes('\\')) return { ok: false, reason: 'path has a backslash (use / between folders)' };
  if (raw.startsWith('/') || /^[a-z]:/i.test(raw)) return { ok: false, reason: 'path must be relative to --out' };
  const segments = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) return { ok: false, reason: 'path names no file' };
  for (const s of segments) {
    if (s === '..') return { ok: false, reason: 'path may not contain ".."' };
    if (Buffer.byteLength(s) > MAX_SEGMENT_BYTES) return { ok: false, reason: `path segment longer than ${MAX_SEGMENT_BYTES} bytes` };
    if (RESERVED.test(s)) return { ok: false, reason: `"${s}" is a reserved device name on Windows` };
  }
  const last = segments[segments.length - 1]!;
  if (last.endsWith(PART_SUFFIX) || last.endsWith(META_SUFFIX)) {
    return { ok: false, reason: `path may not end in ${PART_SUFFIX} (used for unfinished downloads)` };
  }
  return { ok: true, path: segments.join('/') };
}

/** Shortens to at most `max` UTF-8 bytes without splitting a character. */
function truncateBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/** Makes one path segment safe, keeping the extension when it has to shorten it. */
export function cleanSegment(raw: string): string {
  let s = raw
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]/g, '_')
    // A leading dot would hide the file (or spell "." / ".."); trailing dots and spaces vanish on Windows.
    .replace(/^[.\s]+/, '_')
    .replace(/[.\s]+$/, '');
  if (s.endsWith(PART_SUFFIX) || s.endsWith(META_SUFFIX)) s = `${s}_`;
  if (RESERVED.test(s)) s = `_${s}`;
  if (Buffer.byteLength(s) > MAX_SEGMENT_BYTES) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 16 ? s.slice(dot) : '';
    s = truncateBytes(s.slice(0, s.length - ext.length), MAX_SEGMENT_BYTES - Buffer.byteLength(ext)) + ext;
  }
  return s === '_' || s === '' ? '' : s;
}

/**
 * A file name from the URL: its last non-empty path segment, percent-decoded and
 * cleaned; the host when the path has none. Never the query: it may hold a token.
 */
export function nameFromUrl(url: string): string {
  const u = new URL(url);
  const segments = u.pathname.split('/').filter(Boolean);
  let last = segments[segments.length - 1] ?? '';
  try {
    last = decodeURIComponent(last);
  } catch {
    // A malformed escape (%zz) is kept literally; cleanSegment still makes it safe.
  }
  return cleanSegment(last) || cleanSegment(u.hostname) || 'download';
}

/** `name.tar.gz` + 2 → `name-2.tar.gz`; the suffix goes before a short extension. */
function withSuffix(path: string, n: number): string {
  const slash = path.lastIndexOf('/');
  const dir = path.slice(0, slash + 1);
  const base = path.slice(slash + 1);
  const m = /^(.+?)((?:\.tar)?\.[A-Za-z0-9]{1,8})$/.exec(base);
  return m ? `${dir}${m[1]}-${n}${m[2]}` : `${dir}${base}-${n}`;
}

export interface NameRequest {
  url: string;
  /** An already checked user path; it wins over the derived name. */
  path?: string;
}

/**
 * Assigns every entry a distinct name. User paths are placed first, so a derived
 * name earlier in the list never takes a path the user asked for later; derived
 * names that collide get `-2`, `-3`... in input order. Collisions are compared
 * without case: two names differing only in case are one file on macOS and Windows.
 */
export function assignNames(requests: readonly NameRequest[]): string[] {
  const taken = new Set<string>();
  // A name is also blocked by any folder that another name needs, and vice versa.
  const dirs = new Set<string>();
  const key = (p: string) => p.toLowerCase();
  const parentIsFile = (p: string) => {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) if (taken.has(key(parts.slice(0, i).join('/')))) return true;
    return false;
  };
  const clash = (p: string) => taken.has(key(p)) || dirs.has(key(p)) || parentIsFile(p);
  const place = (base: string): string => {
    // When a parent folder is already a file, renaming the leaf cannot help: rename the top folder.
    const renameTop = parentIsFile(base);
    let name = base;
    // Each n gives a new, distinct candidate and only finitely many names are taken: this ends.
    for (let n = 2; clash(name); n++) {
      const slash = base.indexOf('/');
      name = renameTop ? `${base.slice(0, slash)}-${n}${base.slice(slash)}` : withSuffix(base, n);
    }
    taken.add(key(name));
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(key(parts.slice(0, i).join('/')));
    return name;
  };
  const names: string[] = new Array<string>(requests.length);
  requests.forEach((r, i) => {
    if (r.path !== undefined) names[i] = place(r.path);
  });
  requests.forEach((r, i) => {
    if (r.path === undefined) names[i] = place(nameFromUrl(r.url));
  });
  return names;
}
