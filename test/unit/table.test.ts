import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { fitTable, shareWidths, shareWithMinimums, truncateLine, wrapLine } from '../../src/cli/table.js';
import { colorLevel, escapeControl, outputWidth } from '../../src/cli/output.js';

const widest = (text: string) => Math.max(...text.split('\n').map((l) => stringWidth(l)));
const tty = (columns?: number) => ({ isTTY: true, columns }) as never;
const pipe = { isTTY: false } as never;

describe('tables that fit', () => {
  const head = ['message id', 'status', 'attributes', 'body'];
  const id = '5497e0e0-3f1c-4a51-9d7e-0c2becaf8334';
  const rows = [[id, 'COMPLETED', 'eventType=OrderCreated', `{"eventType":"OrderCreated",${'"x":1,'.repeat(40)}}`]];
  const columns = [{}, {}, {}, { truncate: 48 }];

  it('leaves a table that fits as it is', () => {
    const t = fitTable(['a', 'b'], [['1', '2']], { width: 80 });
    expect(t.split('\n')[1]).toBe('│ a │ b │');
  });

  it.each([40, 60, 80, 120, 200])('keeps every line within %i columns, ids and header words whole', (width) => {
    const t = fitTable(head, rows, { width, columns });
    expect(widest(t)).toBeLessThanOrEqual(width);
    expect(t).toContain(id);
    for (const word of ['message', 'attributes']) expect(t).toContain(word);
    expect(t).toContain('…');
  });

  it('shows a table narrower than RECORDS_BELOW that does not fit as records: "name: value", a blank line apart', () => {
    const t = fitTable(head, [rows[0]!, rows[0]!], { width: 80, columns });
    const lines = t.split('\n');
    expect(lines[0]).toBe(`message id: ${id}`);
    expect(lines[1]).toBe('status:     COMPLETED');
    expect(lines[3]).toMatch(/^body: {7}\{"eventType":"OrderCreated",.*…$/);
    expect(stringWidth(lines[3]!.slice(12))).toBe(48);
    expect(lines[4]).toBe('');
    expect(lines[5]).toBe(`message id: ${id}`);
  });

  it('squeezes a wide terminal’s table between words, never below a column’s longest word', () => {
    const t = fitTable(['queue', 'reason'], [['orders-dlq', `${'word '.repeat(30)}${'u'.repeat(40)}`]], { width: 60 });
    expect(widest(t)).toBeLessThanOrEqual(60);
    expect(t).toContain('u'.repeat(40));
    expect(t.startsWith('┌')).toBe(true);
  });

  it('never breaks a header inside a word', () => {
    const t = fitTable(['in flight', 'oldest message age'], [['1', 'x '.repeat(60)]], { width: 40 });
    for (const word of ['flight', 'oldest', 'message']) expect(t).toContain(word);
  });

  it('keeps a word wider than the terminal whole, on a line of its own', () => {
    const url = `https://example.com/${'p'.repeat(80)}`;
    const t = fitTable(['url', 'status', 'size'], [[url, 'done', '1 KiB']], { width: 60 });
    expect(t.split('\n')).toContain(url);
    expect(t.split('\n')[0]).toBe('url:');
  });

  it('shows a two-column summary that cannot fit as its title and "name: value" lines', () => {
    const url = `http://127.0.0.1:4566/000000000000/${'q'.repeat(40)}`;
    const t = fitTable(
      ['local AWS', ''],
      [
        ['endpoint', url],
        ['pid', 42],
        ['state dir', '/home/me/.sqsops'],
      ],
      { width: 60 },
    );
    expect(t.split('\n')).toEqual(['local AWS', 'endpoint:', url, 'pid:       42', 'state dir: /home/me/.sqsops']);
  });

  it('shows every cell whole with wide, whatever the width', () => {
    const t = fitTable(head, rows, { width: 60, columns, wide: true });
    expect(t).toContain(rows[0]![3]);
    expect(t.startsWith('┌')).toBe(true);
  });

  it('counts wide characters as the terminal shows them', () => {
    const t = fitTable(['name'], [['日本語のテキスト'.repeat(10)]], { width: 30 });
    expect(widest(t)).toBeLessThanOrEqual(30);
  });

  it('turns each row into a record when columns would be unreadable', () => {
    const row = ['a', 'b', 'c', 'd', 'e'].map((c) => c.repeat(10));
    const t = fitTable(['one', 'two', 'three', 'four', 'five'], [row], { width: 24 });
    expect(widest(t)).toBeLessThanOrEqual(24);
    expect(t.split('\n')[0]).toBe('one:   aaaaaaaaaa');
  });

  it('gives narrow columns their width and shares the rest, minimums kept', () => {
    expect(shareWidths([4, 100, 100], 60)).toEqual([4, 28, 28]);
    expect(shareWidths([4, 10, 100], 60)).toEqual([4, 10, 46]);
    expect(shareWithMinimums([4, 100, 100], [4, 36, 10], 60)).toEqual([4, 36, 20]);
  });

  it('wraps at spaces only, keeping long words whole; truncates with an ellipsis', () => {
    expect(wrapLine('hello wonderful world', 12)).toEqual(['hello', 'wonderful', 'world']);
    expect(wrapLine('abcdefghij ab', 4)).toEqual(['abcdefghij', 'ab']);
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
