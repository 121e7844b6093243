import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { fitTable, shareWidths, truncateLine, wrapLine } from '../../src/cli/table.js';
import { colorLevel, escapeControl, outputWidth } from '../../src/cli/output.js';

const widest = (text: string) => Math.max(...text.split('\n').map((l) => stringWidth(l)));
const tty = (columns?: number) => ({ isTTY: true, columns }) as never;
const pipe = { isTTY: false } as never;

describe('tables that fit', () => {
  const head = ['id', 'status', 'body'];
  const rows = [[`order-${'7'.repeat(60)}`, 'COMPLETED', 'x '.repeat(80)]];

  it('leaves a table that fits as it is', () => {
    const t = fitTable(['a', 'b'], [['1', '2']], { width: 80 });
    expect(t.split('\n')[1]).toBe('│ a │ b │');
  });

  it.each([40, 60, 80, 100])('keeps every line within %i columns, wrapping ids whole', (width) => {
    const t = fitTable(head, rows, { width, columns: [{}, {}, { truncate: true }] });
    expect(widest(t)).toBeLessThanOrEqual(width);
    const ids = t
      .split('\n')
      .filter((l) => l.startsWith('│'))
      .map((l) => l.split('│')[1]!.trim())
      .join('');
    expect(ids).toContain(rows[0]![0]);
    expect(t).toContain('…');
  });

  it('counts wide characters as the terminal shows them', () => {
    const t = fitTable(['name'], [['日本語のテキスト'.repeat(10)]], { width: 30 });
    expect(widest(t)).toBeLessThanOrEqual(30);
  });

  it('turns each row into a block of name/value lines when columns would be unreadable', () => {
    const row = ['a', 'b', 'c', 'd', 'e'].map((c) => c.repeat(10));
    const t = fitTable(['one', 'two', 'three', 'four', 'five'], [row], { width: 24 });
    expect(widest(t)).toBeLessThanOrEqual(24);
    expect(t.split('\n')[0]).toMatch(/^one +aaaaaaaaaa$/);
  });

  it('gives narrow columns their width and shares the rest', () => {
    expect(shareWidths([4, 100, 100], 60)).toEqual([4, 28, 28]);
    expect(shareWidths([4, 10, 100], 60)).toEqual([4, 10, 46]);
  });

  it('wraps at a space when one is near, else cuts hard; truncates with an ellipsis', () => {
    expect(wrapLine('hello wonderful world', 12)).toEqual(['hello', 'wonderful', 'world']);
    expect(wrapLine('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(truncateLine('a  b\ncdefgh', 6)).toBe('a b c…');
  });

  it('escapes control characters in cells', () => {
    expect(fitTable(['x'], [['a\x1b]0;t\x07']], { width: 80 })).toContain('a\\e]0;t\\x07');
  });
});

describe('the output contract', () => {
  it('decides colour per stream: --no-color, FORCE_COLOR, NO_COLOR, then the terminal', () => {
    expect(colorLevel(tty(), {})).toBe(1);
    expect(colorLevel(pipe, {})).toBe(0);
    expect(colorLevel(pipe, { FORCE_COLOR: '1' })).toBe(1);
    expect(colorLevel(pipe, { FORCE_COLOR: '' })).toBe(1);
    expect(colorLevel(tty(), { FORCE_COLOR: '0' })).toBe(0);
    expect(colorLevel(tty(), { NO_COLOR: '1' })).toBe(0);
    expect(colorLevel(pipe, { NO_COLOR: '1', FORCE_COLOR: '3' })).toBe(3);
    expect(colorLevel(tty(), { FORCE_COLOR: '1' }, false)).toBe(0);
    expect(colorLevel(tty(), { TERM: 'dumb' })).toBe(0);
  });

  it('takes the width from the terminal, COLUMNS, stderr’s terminal, else 120', () => {
    expect(outputWidth(tty(90), pipe, { COLUMNS: '50' })).toBe(90);
    expect(outputWidth(pipe, tty(70), { COLUMNS: '50' })).toBe(50);
    expect(outputWidth(pipe, tty(70), {})).toBe(70);
    expect(outputWidth(pipe, pipe, { COLUMNS: 'wide' })).toBe(120);
  });

  it('escapes control characters, naming the common ones', () => {
    expect(escapeControl('q\x1b]0;x\x07\n\t')).toBe('q\\e]0;x\\x07\\n\\t');
    expect(escapeControl('plain é ✓')).toBe('plain é ✓');
  });
});
