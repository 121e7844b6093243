import { describe, expect, it } from 'vitest';
import { assignNames, checkUserPath, cleanSegment, nameFromUrl } from '../../src/features/download/names.js';

describe('file names', () => {
  it.each([
    ['https://a.test/files/report.pdf', 'report.pdf'],
    ['https://a.test/files/report.pdf?token=secret', 'report.pdf'],
    ['https://a.test/dir/', 'dir'],
    ['https://a.test/', 'a.test'],
    ['https://a.test/%2e%2e', 'a.test'],
    ['https://a.test/a%2Fb%5Cc', 'a_b_c'],
    ['https://a.test/..%2F..%2Fetc%2Fpasswd', '__.._etc_passwd'],
    ['https://a.test/.bashrc', '_bashrc'],
    ['https://a.test/x%00y%0Az', 'x_y_z'],
    ['https://a.test/con.txt', '_con.txt'],
    ['https://a.test/big.iso.part', 'big.iso.part_'],
    ['https://a.test/caf%C3%A9.txt', 'café.txt'],
    ['https://a.test/%E0%A4%A', '%E0%A4%A'],
  ])('derives a safe name from %s', (url, name) => {
    expect(nameFromUrl(url)).toBe(name);
  });

  it('shortens a very long name and keeps its extension', () => {
    const name = nameFromUrl(`https://a.test/${'é'.repeat(300)}.tar`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    expect(name.endsWith('.tar')).toBe(true);
  });

  it('never yields ".", ".." or an empty segment', () => {
    for (const raw of ['.', '..', '...', ' ', '\u0001', '/']) {
      const s = cleanSegment(raw);
      expect(['.', '..'].includes(s)).toBe(false);
    }
  });

  it.each([
    ['a/b/c.txt', { ok: true, path: 'a/b/c.txt' }],
    ['./a//b', { ok: true, path: 'a/b' }],
    ['../x', { ok: false, reason: 'path may not contain ".."' }],
    ['a/../../x', { ok: false, reason: 'path may not contain ".."' }],
    ['/etc/passwd', { ok: false, reason: 'path must be relative to --out' }],
    ['C:/x', { ok: false, reason: 'path must be relative to --out' }],
    ['a\\b', { ok: false, reason: 'path has a backslash (use / between folders)' }],
    ['a\nb', { ok: false, reason: 'path has a control character' }],
    ['x.part', { ok: false, reason: 'path may not end in .part (used for unfinished downloads)' }],
    ['./', { ok: false, reason: 'path names no file' }],
  ])('checks the user path %j', (raw, expected) => {
    expect(checkUserPath(raw)).toEqual(expected);
  });

  it('resolves collisions in input order, without regard to case', () => {
    const names = assignNames([
      { url: 'https://a.test/x/data.tar.gz' },
      { url: 'https://b.test/y/data.tar.gz' },
      { url: 'https://c.test/DATA.tar.gz' },
      { url: 'https://d.test/readme' },
      { url: 'https://e.test/readme' },
    ]);
    expect(names).toEqual(['data.tar.gz', 'data-2.tar.gz', 'DATA-3.tar.gz', 'readme', 'readme-2']);
  });

  it('keeps user paths and moves derived names out of their way', () => {
    const names = assignNames([{ url: 'https://a.test/report.pdf' }, { url: 'https://b.test/other', path: 'report.pdf' }]);
    expect(names).toEqual(['report-2.pdf', 'report.pdf']);
  });

  it('never makes a file where another name needs a folder, or the reverse', () => {
    const names = assignNames([
      { url: 'https://a.test/1', path: 'docs/a.txt' },
      { url: 'https://a.test/docs' },
      { url: 'https://a.test/2', path: 'x' },
      { url: 'https://a.test/3', path: 'x/y' },
    ]);
    expect(names).toEqual(['docs/a.txt', 'docs-2', 'x', 'x-2/y']);
  });
});
