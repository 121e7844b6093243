/**
 * Tables that fit the terminal. A table wider than the width gives its widest columns
 * less room, wrapping cells between words only (an id, a key or a URL is never split);
 * under RECORDS_BELOW columns, or when even that cannot fit, each row is printed as a
 * record of "name: value" lines instead. Body columns are cut to a stated width with "…".
 * Every command renders through here (via `Output.table`), so no line is wider than
 * `width` whatever the data, except a single word wider than the terminal itself, and
 * `wide` tables, which show every cell whole.
 */
import Table from 'cli-table3';
import stringWidth from 'string-width';

export interface ColumnOptions {
  /**
   * Cut long cells to one line with "…" instead of wrapping them (body previews): to this
   * many characters (true: to the room the line leaves), never wider than that room.
   */
  truncate?: boolean | number;
}

export interface TableOptions {
  /** The widest line allowed, borders included. */
  width: number;
  /** Per column, by index. */
  columns?: ColumnOptions[] | undefined;
  /** Styles a header cell (bold on a colour stream). */
  head?: (text: string) => string;
  /** Every cell whole, nothing cut or wrapped, whatever the width (--wide). @default false */
  wide?: boolean;
}

/**
 * Makes control characters visible: a queue name holding ESC ] 0 ; ... BEL would
 * otherwise retitle the terminal (or worse) when an error echoes it.
 */
export function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };
    return named[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** Below this many columns a table that does not fit is shown as records rather than squeezed. */
export const RECORDS_BELOW = 100;
/** The least room a cut column (a body preview) is squeezed to before the table turns into records. */
const MIN_CUT = 12;
const segmenter = new Intl.Segmenter();

/** A run of wide characters (CJK) is prose, not an id: it may break between characters. */
function breakable(word: string): boolean {
  return stringWidth(word) > [...segmenter.segment(word)].length;
}

/** A word as pieces no wider than `width`: whole, unless it is breakable prose. */
function pieces(word: string, width: number): string[] {
  if (!breakable(word) || stringWidth(word) <= width) return [word];
  const out = [''];
  for (const { segment } of segmenter.segment(word)) {
    if (out.at(-1) && stringWidth(out.at(-1)! + segment) > width) out.push('');
    out[out.length - 1] += segment;
  }
  return out;
}

/**
 * Splits one line into pieces no wider than `width`, breaking only at spaces: a word wider
 * than `width` (an id, a URL) stays whole on a line of its own.
 */
export function wrapLine(line: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of line.split(' ').flatMap((w) => pieces(w, width))) {
    if (cur && stringWidth(`${cur} ${word}`) > width) {
      out.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  out.push(cur);
  return out;
}

/** One line no wider than `width`, whitespace flattened, "…" where it was cut. */
export function truncateLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  if (stringWidth(flat) <= width) return flat;
  let cur = '';
  for (const { segment } of segmenter.segment(flat)) {
    if (stringWidth(cur + segment) > width - 1) break;
    cur += segment;
  }
  return `${cur}…`;
}

/** The widest word of a cell: the least room it needs to wrap without splitting one. */
function longestWord(text: string): number {
  return Math.max(0, ...text.split(/[\n ]/).map((w) => (breakable(w) ? 2 : stringWidth(w))));
}

function naturalWidth(text: string): number {
  return Math.max(0, ...text.split('\n').map((l) => stringWidth(l)));
}

/** A cell in `width`: cut to one line for a cut column, else wrapped between words. */
function fitCell(text: string, width: number, column: ColumnOptions | undefined): string {
  const cut = column?.truncate;
  if (cut) return truncateLine(text, typeof cut === 'number' ? Math.min(cut, width) : width);
  return text
    .split('\n')
    .flatMap((l) => wrapLine(l, width))
    .join('\n');
}

/**
 * Column widths that fit `available`: narrow columns keep their width, the rest share
 * what is left equally (water-filling), so one long column never squeezes the others.
 */
export function shareWidths(natural: number[], available: number): number[] {
  const widths = [...natural];
  const order = natural.map((w, i) => [w, i] as const).sort((a, b) => a[0] - b[0]);
  let left = available;
  order.forEach(([w, i], k) => {
    const share = Math.floor(left / (order.length - k));
    widths[i] = Math.min(w, share);
    left -= widths[i]!;
  });
  return widths;
}

/** Shares `available` as shareWidths does, but never gives a column less than its minimum (assumed to fit). */
export function shareWithMinimums(natural: number[], minimum: number[], available: number): number[] {
  const pinned = new Set<number>();
  for (;;) {
    const free = natural.map((_, i) => i).filter((i) => !pinned.has(i));
    const left = available - [...pinned].reduce((a, i) => a + minimum[i]!, 0);
    const shares = shareWidths(
      free.map((i) => natural[i]!),
      left,
    );
    const short = free.filter((i, k) => shares[k]! < minimum[i]!);
    if (short.length === 0) return natural.map((_, i) => (pinned.has(i) ? minimum[i]! : shares[free.indexOf(i)]!));
    for (const i of short) pinned.add(i);
  }
}

function render(head: string[], rows: string[][], style: (s: string) => string): string {
  const table = new Table({
    head: head.map(style),
    style: { head: [], border: [], compact: true },
    wordWrap: false,
  });
  for (const r of rows) table.push(r);
  return table.toString();
}

/**
 * One field of a record: "name: value", the value's further lines under its first; a value
 * with a word too wide to sit beside the name starts on the next line, at the margin.
 */
function field(name: string, value: string, label: number, options: TableOptions, column?: ColumnOptions): string[] {
  const style = options.head ?? ((s: string) => s);
  const shown = truncateLine(name, label);
  const lead = `${style(`${shown}:`)}${' '.repeat(label - stringWidth(shown))} `;
  const room = Math.max(options.width - label - 2, 1);
  if (!column?.truncate && longestWord(value) > room) return [lead.trimEnd(), ...fitCell(value, options.width, column).split('\n')];
  const lines = fitCell(value, room, column).split('\n');
  return lines.map((l, k) => (k === 0 ? `${lead}${l}`.trimEnd() : `${' '.repeat(label + 2)}${l}`));
}

/** Each row as a record of "name: value" lines; records apart by a blank line. */
function records(head: string[], rows: string[][], options: TableOptions): string {
  const label = Math.min(Math.max(...head.map((h) => stringWidth(h || '-'))), Math.floor(options.width / 3));
  return rows
    .map((row) => row.flatMap((cell, i) => field(head[i] || '-', cell, label, options, options.columns?.[i])).join('\n'))
    .join('\n\n');
}

/** A two-column summary (title, '') as its title, then one "name: value" line a row. */
function keyValues(head: string[], rows: string[][], options: TableOptions): string {
  const style = options.head ?? ((s: string) => s);
  const label = Math.min(Math.max(...rows.map((r) => stringWidth(r[0] ?? ''))), Math.floor(options.width / 2));
  const plain = { ...options, head: undefined };
  return [
    style(truncateLine(head[0] ?? '', options.width)),
    ...rows.flatMap((r) => field(r[0] ?? '', r[1] ?? '', label, plain, options.columns?.[1])),
  ].join('\n');
}

/** Renders a table no wider than `options.width` (any width with `wide`). */
export function fitTable(head: string[], rows: (string | number)[][], options: TableOptions): string {
  // Cells hold message bodies and names from outside: escape all but the line breaks we put there.
  const cells = rows.map((r) => r.map((c) => String(c).split('\n').map(escapeControl).join('\n')));
  const style = options.head ?? ((s: string) => s);
  if (options.wide) return render(head, cells, style);
  const column = (i: number) => options.columns?.[i];
  // Cut columns to their stated width first: the table is measured as it will be shown.
  const shown = cells.map((r) => r.map((c, i) => (typeof column(i)?.truncate === 'number' ? fitCell(c, Infinity, column(i)) : c)));
  const n = head.length;
  // cli-table3 draws "│ a │ b │": one border per column plus one, and a space each side.
  const available = options.width - (3 * n + 1);
  const natural = head.map((h, i) => Math.max(naturalWidth(h), ...shown.map((r) => naturalWidth(r[i] ?? ''))));
  if (natural.reduce((a, b) => a + b, 0) <= available) return render(head, shown, style);
  const minimum = head.map((h, i) =>
    Math.min(natural[i]!, Math.max(longestWord(h), column(i)?.truncate ? MIN_CUT : Math.max(...shown.map((r) => longestWord(r[i] ?? ''))))),
  );
  const keyValue = n === 2 && head[1] === '';
  if ((n > 2 && options.width < RECORDS_BELOW) || minimum.reduce((a, b) => a + b, 0) > available) {
    return keyValue ? keyValues(head, shown, options) : records(head, shown, options);
  }
  const widths = shareWithMinimums(natural, minimum, available);
  return render(
    head.map((h, i) => fitCell(h, widths[i]!, undefined)),
    shown.map((r) => r.map((c, i) => fitCell(c, widths[i]!, column(i)))),
    style,
  );
}
