/**
 * README.md and docs/*.md link only to what exists: every relative link names a file of the
 * repository, every `#anchor` a heading of its page (computed as GitHub does), and no page
 * speaks of documents the repository does not hold.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The page's text outside fenced code blocks and inline code spans. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to `-`. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor of a page, with GitHub's `-1`, `-2` suffixes for repeated headings. */
function anchors(page: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const text = readFileSync(page, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  for (const m of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = anchorOf(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The relative link targets of a page (external URLs left out). */
function links(page: string): string[] {
  const text = prose(readFileSync(join(ROOT, page), 'utf8'));
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/** What a link points at that does not exist, or undefined. */
function broken(page: string, target: string): string | undefined {
  const [path, anchor] = target.split('#') as [string, string | undefined];
  const file = path === '' ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), path);
  if (relative(ROOT, file).startsWith('..')) return `${target}: outside the repository`;
  if (!existsSync(file)) return `${target}: no such file`;
  if (anchor === undefined) return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return `${target}: an anchor on a file that is not a page`;
  return anchors(file).has(anchor) ? undefined : `${target}: no such heading in ${relative(ROOT, file)}`;
}

/** Words that point at documents outside the repository. */
const OUTSIDE = [
  /\bthe seed\b/i,
  /\bseed's\b/i,
  /\bseed Lambda\b/i,
  /\bthe brief\b/i,
  /\bdesign notes\b/i,
  /\bDESIGN\.md\b/,
  /\bthe issue\b/i,
];

describe('the documentation pages', () => {
  it('are README.md and the pages in docs/', () => {
    expect(PAGES.length).toBeGreaterThan(5);
  });

  it('computes anchors as GitHub does', () => {
    expect(anchorOf('Security: the local AWS belongs to the user who started it')).toBe(
      'security-the-local-aws-belongs-to-the-user-who-started-it',
    );
    expect(anchorOf('Download many URLs: `sqsops download-urls`')).toBe('download-many-urls-sqsops-download-urls');
    expect(anchorOf('process-sqs: your code')).toBe('process-sqs-your-code');
  });

  it.each(PAGES)('%s links only to files and headings that exist', (page) => {
    const bad = links(page)
      .map((t) => broken(page, t))
      .filter((b) => b !== undefined);
    expect(bad).toEqual([]);
  });

  it.each(PAGES)('%s mentions no document outside the repository', (page) => {
    const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
    const bad = lines.flatMap((line, i) => (OUTSIDE.some((re) => re.test(line)) ? [`${page}:${i + 1}: ${line.trim()}`] : []));
    expect(bad).toEqual([]);
  });
});
