/**
 * Download lists: a JSON array, or one entry per line (NDJSON, or bare URLs), of URL
 * strings or `{url, path?, sha256?, headers?}` objects. Every entry is checked before
 * anything is fetched, and every bad one is reported by its file and index; the good
 * ones still run. Pure: the caller reads the files.
 */
import { jsonErrorAt, parseError } from '../../core/input.js';
import { checkUserPath } from './names.js';
import { redactUrl } from '../../core/redact.js';

export interface DownloadEntry {
  /** The URL, normalised by the WHATWG parser. May hold secrets: print `redactUrl(url)`. */
  url: string;
  /** A checked relative path under the destination; derived from the URL when absent. */
  path?: string;
  /** Expected SHA-256 of the body, lowercase hex. */
  sha256?: string;
  /** Extra request headers (e.g. Authorization). Never printed. */
  headers?: Record<string, string>;
  /** Where it came from: `list.json[3]`, `urls.ndjson:4`, `stdin:2`. */
  source: string;
  /** Set when an earlier entry asks for exactly the same download. */
  duplicateOf?: string;
}

export interface EntryProblem {
  source: string;
  problem: string;
}

export interface ParsedEntries {
  entries: DownloadEntry[];
  problems: EntryProblem[];
}

const FIELDS = new Set(['url', 'path', 'sha256', 'headers']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// The downloader owns these (ranges, framing, the connection); a list may not set them.
const MANAGED_HEADERS = new Set([
  'host',
  'range',
  'if-range',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'expect',
  'trailer',
]);

function checkHeaders(value: unknown): { headers?: Record<string, string>; problem?: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { problem: 'headers must be an object of strings' };
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    // Problems name the header, never its value: it is often a credential.
    if (!TOKEN.test(name)) return { problem: `header name "${redactUrl(name).slice(0, 40)}" is not valid` };
    if (MANAGED_HEADERS.has(name.toLowerCase())) return { problem: `header ${name} is set by the downloader and may not be given` };
    if (typeof v !== 'string') return { problem: `header ${name} must be a string` };
    if (/[\r\n\0]/.test(v)) return { problem: `header ${name} has a line break or NUL in its value` };
    headers[name] = v;
  }
  return { headers };
}

function checkUrl(raw: unknown): { url?: string; problem?: string } {
  if (typeof raw !== 'string' || raw.trim() === '') return { problem: 'url must be a non-empty string' };
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return { problem: `"${redactUrl(raw).slice(0, 80)}" is not a valid absolute URL` };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return { problem: `only http and https URLs are fetched, not ${u.protocol.slice(0, 20)}` };
  if (!u.hostname) return { problem: `${redactUrl(u.href)} has no host` };
  return { url: u.href };
}

/** Checks one entry (a URL string or an object); returns the entry or the first thing wrong with it. */
export function validateEntry(value: unknown, source: string): DownloadEntry | EntryProblem {
  const bad = (problem: string): EntryProblem => ({ source, problem });
  if (typeof value === 'string') {
    const { url, problem } = checkUrl(value);
    return url ? { url, source } : bad(problem!);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return bad(
      `an entry must be a URL string or an object with "url", not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
    );
  }
  const o = value as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !FIELDS.has(k));
  // A typo such as "sha265" would silently skip the check the user asked for.
  if (unknown.length)
    return bad(
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k.slice(0, 30)}"`).join(', ')} (allowed: url, path, sha256, headers)`,
    );
  const { url, problem } = checkUrl(o.url);
  if (!url) return bad(problem!);
  const entry: DownloadEntry = { url, source };
  if (o.path !== undefined) {
    if (typeof o.path !== 'string') return bad('path must be a string');
    const checked = checkUserPath(o.path);
    if (!checked.ok) return bad(checked.reason);
    entry.path = checked.path;
  }
  if (o.sha256 !== undefined) {
    if (typeof o.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(o.sha256)) return bad('sha256 must be 64 hexadecimal characters');
    entry.sha256 = o.sha256.toLowerCase();
  }
  if (o.headers !== undefined) {
    const h = checkHeaders(o.headers);
    if (h.problem) return bad(h.problem);
    if (Object.keys(h.headers!).length) entry.headers = h.headers!;
  }
  return entry;
}

function isProblem(v: DownloadEntry | EntryProblem): v is EntryProblem {
  return 'problem' in v;
}

/**
 * Parses one list. A JSON array is one document (a syntax error makes the whole file
 * one problem, since nothing after it can be trusted); line input is judged per line:
 * JSON values, bare URLs, and `#` comments.
 */
export function parseEntries(text: string, source: string): ParsedEntries {
  const out: ParsedEntries = { entries: [], problems: [] };
  const add = (v: DownloadEntry | EntryProblem): void => {
    if (isProblem(v)) out.problems.push(v);
    else out.entries.push(v);
  };
  const start = text.search(/\S/);
  if (start === -1) return out;
  if (text[start] === '[') {
    let parsed: unknown[];
    try {
      parsed = JSON.parse(text) as unknown[];
    } catch (e: unknown) {
      out.problems.push({ source: jsonErrorAt(text, source), problem: `malformed JSON, the whole file was skipped (${parseError(e)})` });
      return out;
    }
    if (!Array.isArray(parsed)) out.problems.push({ source, problem: 'expected a JSON array' });
    else for (const [i, v] of parsed.entries()) add(validateEntry(v, `${source}[${i}]`));
    return out;
  }
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line && !line.startsWith('#')) add(lineEntry(line, `${source}:${i + 1}`));
  }
  return out;
}

/** One line of line input: a bare URL, or a JSON value (a URL string or an entry object). */
function lineEntry(line: string, where: string): DownloadEntry | EntryProblem {
  if (!/^[{["\d-]|^(true|false|null)\b/.test(line)) return validateEntry(line, where);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e: unknown) {
    return { source: where, problem: `malformed JSON line (${parseError(e)})` };
  }
  return validateEntry(value, where);
}

/**
 * Joins several lists. An entry asking for exactly what an earlier one asked for is
 * marked `duplicateOf` (fetched once); a `path` already given to another URL is a
 * problem, because silently renaming a path the user chose would surprise them.
 */
export function mergeEntries(lists: readonly ParsedEntries[]): ParsedEntries {
  const out: ParsedEntries = { entries: [], problems: [] };
  const seen = new Map<string, string>();
  const paths = new Map<string, string>();
  for (const list of lists) {
    out.problems.push(...list.problems);
    for (const e of list.entries) {
      const same = `${e.url}\n${e.path ?? ''}\n${e.sha256 ?? ''}\n${JSON.stringify(e.headers ?? {})}`;
      const first = seen.get(same);
      if (first) {
        out.entries.push({ ...e, duplicateOf: first });
        continue;
      }
      if (e.path !== undefined) {
        const owner = paths.get(e.path.toLowerCase());
        if (owner) {
          out.problems.push({ source: e.source, problem: `path "${e.path}" is already used by ${owner}` });
          continue;
        }
        paths.set(e.path.toLowerCase(), e.source);
      }
      seen.set(same, e.source);
      out.entries.push(e);
    }
  }
  return out;
}

/** Splits `s3://bucket/some/prefix` into its parts; undefined when it is not one. */
export function parseS3Url(raw: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(raw.trim());
  if (!m?.[1]) return undefined;
  const prefix = m[2]!.replace(/^\/+/, '');
  return { bucket: m[1], prefix: prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix };
}
