import { describe, expect, it } from 'vitest';
import { mergeEntries, parseEntries, parseS3Url, validateEntry } from '../../src/features/download/input.js';

const SHA = 'a'.repeat(64);

describe('download lists', () => {
  it('reads a JSON array of URL strings and objects, naming each entry by index', () => {
    const r = parseEntries(
      JSON.stringify([
        'https://a.test/x.bin',
        { url: 'http://b.test/y', path: 'sub/y.txt', sha256: SHA.toUpperCase(), headers: { Authorization: 'Bearer t0ken' } },
      ]),
      'list.json',
    );
    expect(r.problems).toEqual([]);
    expect(r.entries).toEqual([
      { url: 'https://a.test/x.bin', source: 'list.json[0]' },
      { url: 'http://b.test/y', path: 'sub/y.txt', sha256: SHA, headers: { Authorization: 'Bearer t0ken' }, source: 'list.json[1]' },
    ]);
  });

  it('reads NDJSON with bare URLs, comments and blank lines, naming each entry by line', () => {
    const r = parseEntries('# mirrors\n"https://a.test/1"\n\nhttps://a.test/2\n{"url":"https://a.test/3"}\n', 'urls.ndjson');
    expect(r.entries.map((e) => [e.source, e.url])).toEqual([
      ['urls.ndjson:2', 'https://a.test/1'],
      ['urls.ndjson:4', 'https://a.test/2'],
      ['urls.ndjson:5', 'https://a.test/3'],
    ]);
  });

  it('reports every bad entry by file and index and keeps the good ones', () => {
    const list = [
      'https://ok.test/a',
      'ftp://x.test/file',
      'not a url',
      { url: 'https://ok.test/b', sha265: SHA },
      { url: 'https://ok.test/c', path: '../etc/passwd' },
      { url: 'https://ok.test/d', path: '/abs' },
      { url: 'https://ok.test/e', sha256: 'abc' },
      { url: 'https://ok.test/f', headers: { Range: 'bytes=0-' } },
      { url: 'https://ok.test/g', headers: { 'X-Token': 'a\r\nb' } },
      42,
      { path: 'x' },
      'https://ok.test/h',
    ];
    const r = parseEntries(JSON.stringify(list), 'l.json');
    expect(r.entries.map((e) => e.source)).toEqual(['l.json[0]', 'l.json[11]']);
    expect(r.problems.map((p) => p.source)).toEqual([
      'l.json[1]',
      'l.json[2]',
      'l.json[3]',
      'l.json[4]',
      'l.json[5]',
      'l.json[6]',
      'l.json[7]',
      'l.json[8]',
      'l.json[9]',
      'l.json[10]',
    ]);
    expect(r.problems.map((p) => p.problem)).toEqual([
      'only http and https URLs are fetched, not ftp:',
      '"not a url" is not a valid absolute URL',
      'unknown field "sha265" (allowed: url, path, sha256, headers)',
      'path may not contain ".."',
      'path must be relative to --out',
      'sha256 must be 64 hexadecimal characters',
      'header Range is set by the downloader and may not be given',
      'header X-Token has a line break or NUL in its value',
      'an entry must be a URL string or an object with "url", not number',
      'url must be a non-empty string',
    ]);
  });

  it('names the line of malformed NDJSON and carries on with the next lines', () => {
    const r = parseEntries('https://a.test/1\n{"url": \nhttps://a.test/3\n', 'u.ndjson');
    expect(r.entries).toHaveLength(2);
    expect(r.problems).toEqual([{ source: 'u.ndjson:2', problem: expect.stringMatching(/^malformed JSON line/) }]);
  });

  it('rejects a malformed JSON array as a whole, naming the line', () => {
    const r = parseEntries('[\n"https://a.test/1",\n"https://a.test/2"\n"https://a.test/3"\n]', 'bad.json');
    expect(r.entries).toEqual([]);
    expect(r.problems).toEqual([{ source: 'bad.json:4', problem: expect.stringMatching(/^malformed JSON, the whole file was skipped/) }]);
  });

  it('never echoes header values or URL secrets in a problem', () => {
    const p = validateEntry({ url: 'https://u:hunter2@x.test/a?token=s3cret', headers: { Authorization: 5 } }, 's');
    expect(p).toEqual({ source: 's', problem: 'header Authorization must be a string' });
    const q = validateEntry('https//user:hunter2@x.test/a?token=s3cret', 's');
    expect(JSON.stringify(q)).not.toMatch(/hunter2|s3cret/);
  });

  it('marks exact repeats as duplicates and refuses a path given to two URLs', () => {
    const a = parseEntries('["https://a.test/1", {"url": "https://a.test/2", "path": "two"}]', 'a.json');
    const b = parseEntries('["https://a.test/1", {"url": "https://a.test/3", "path": "TWO"}]', 'b.json');
    const m = mergeEntries([a, b]);
    expect(m.entries.map((e) => [e.source, e.duplicateOf])).toEqual([
      ['a.json[0]', undefined],
      ['a.json[1]', undefined],
      ['b.json[0]', 'a.json[0]'],
    ]);
    expect(m.problems).toEqual([{ source: 'b.json[1]', problem: 'path "TWO" is already used by a.json[1]' }]);
  });

  it.each([
    ['s3://bucket', { bucket: 'bucket', prefix: '' }],
    ['s3://bucket/', { bucket: 'bucket', prefix: '' }],
    ['s3://bucket/a/b', { bucket: 'bucket', prefix: 'a/b/' }],
    ['s3://bucket/a/', { bucket: 'bucket', prefix: 'a/' }],
    ['https://bucket/a', undefined],
    ['s3:///a', undefined],
  ])('reads the S3 destination %s', (raw, expected) => {
    expect(parseS3Url(raw)).toEqual(expected);
  });
});
