import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { readDownloadLists } from '../../src/features/download/sources.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function folder(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'sqsops-lists-'));
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(d, name, '..'), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
}

describe('reading download lists', () => {
  it('reads a folder of lists in name order, skips other files and sub-folders, and names entries by file', async () => {
    const d = folder({
      'b.ndjson': 'https://x.test/2\nnope\n',
      'a.json': '["https://x.test/1"]',
      'c.txt': 'https://x.test/1\n',
      'notes.md': 'hi',
      'sub/d.json': '["https://x.test/4"]',
    });
    const r = await readDownloadLists(d);
    expect(r.files.map((f) => f.slice(d.length + 1))).toEqual(['a.json', 'b.ndjson', 'c.txt']);
    expect(r.ignored).toEqual(['notes.md']);
    expect(r.entries.map((e) => [e.source, e.duplicateOf])).toEqual([
      ['a.json[0]', undefined],
      ['b.ndjson:1', undefined],
      ['c.txt:1', 'a.json[0]'],
    ]);
    expect(r.problems).toEqual([{ source: 'b.ndjson:2', problem: '"nope" is not a valid absolute URL' }]);
  });

  it('reads stdin for -', async () => {
    const r = await readDownloadLists('-', Readable.from([Buffer.from('https://x.test/a\n'), Buffer.from('{"url":"https://x.test/b"}\n')]));
    expect(r.entries.map((e) => e.source)).toEqual(['stdin:1', 'stdin:2']);
  });

  it('says clearly when the input cannot be read at all', async () => {
    await expect(readDownloadLists('/nonexistent/list.json')).rejects.toSatisfy(
      (e: unknown) => e instanceof UsageError && e.message === '/nonexistent/list.json does not exist',
    );
    const empty = folder({ 'readme.md': 'x' });
    await expect(readDownloadLists(empty)).rejects.toThrow(/holds no lists/);
  });
});
