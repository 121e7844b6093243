import { describe, expect, it } from 'vitest';
import { decodeUtf8, parseBodies } from '../../src/core/input.js';

describe('parseBodies', () => {
  it('reads a JSON array of objects and strings', () => {
    expect(parseBodies('[{"a":1}, "raw text"]', 'f.json')).toEqual(['{"a":1}', 'raw text']);
  });

  it('reads NDJSON, skipping blank lines', () => {
    expect(parseBodies('{"a":1}\n\n{"b":2}\n', 'f.ndjson')).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('names the line of a malformed NDJSON entry', () => {
    expect(() => parseBodies('{"a":1}\n{"b":\n{"c":3}', 'f.ndjson')).toThrow(/^f\.ndjson:2: malformed JSON line/);
  });

  it('names the line of a syntax error inside a JSON array', () => {
    expect(() => parseBodies('[\n{"a":1},\n{"b":}\n]', 'f.json')).toThrow(/^f\.json:3: malformed JSON/);
  });

  it('rejects an empty file and entries that are neither objects nor strings', () => {
    expect(() => parseBodies('  \n', 'f')).toThrow(/is empty/);
    expect(() => parseBodies('[1]', 'f')).toThrow(/entry 0: each entry must be a JSON object or a string, not number/);
    expect(() => parseBodies('null', 'f')).toThrow(/f:1: each entry/);
  });

  it('refuses bytes that are not UTF-8, naming the line', () => {
    const bytes = Buffer.concat([Buffer.from('{"a":1}\n{"b":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]);
    expect(() => decodeUtf8(bytes, 'x.ndjson')).toThrow(/^x\.ndjson:2: not UTF-8 text/);
    expect(decodeUtf8(Buffer.from('{"b":"café"}'), 'x')).toBe('{"b":"café"}');
  });
});
