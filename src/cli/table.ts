/**
 * Tables that fit the terminal. A table wider than the width gives its widest columns
 * less room (long cells wrap, or are cut with "…" where the column says so); when even
 * that cannot fit, each row is printed as a block of "name: value" lines instead.
 * Every command renders through here (via `Output.table`), so no line is wider than
 * `width` whatever the data.
 */
import Table from 'cli-table3';
import stringWidth from 'string-width';

export interface ColumnOptions {
  /** Cut long cells to one line with "…" instead of wrapping them (body previews). */
  truncate?: boolean;
}

export interface TableOptions {
  /** The widest line allowed, borders included. */
  width: number;
  /** Per column, by index. */
  columns?: ColumnOptions[] | undefined;
  /** Styles a header cell (bold on a colour stream). */
  head?: (text: string) => string;
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

/** Below this many characters a column is unreadable: use the vertical layout instead. */
const MIN_COLUMN = 6;
const segmenter = new Intl.Segmenter();

/** Splits one line into pieces no wider than `width`, preferring to break after a space. */
export function wrapLine(line: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  let curWidth = 0;
  for (const { segment } of segmenter.segment(line)) {
    const w = stringWidth(segment);
    if (curWidth + w > width && cur) {
      const space = cur.lastIndexOf(' ');
      // Break at the last space if the line has one; otherwise cut hard (ids, URLs).
      if (space > 0 && segment !== ' ') {
        out.push(cur.slice(0, space));
        cur = cur.slice(space + 1);
      } else {
        out.push(cur);
        cur = '';
      }
      curWidth = stringWidth(cur);
    }
    if (segment === ' ' && cur === '' && out.length) continue; // no leading space on a wrapped line
    cur += segment;
    curWidth += w;
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

function fitCell(text: string, width: number, truncate: boolean): string {
  if (truncate) return truncateLine(text, width);
  return text
    .split('\n')
    .flatMap((l) => wrapLine(l, width))
    .join('\n');
}

function naturalWidth(text: string): number {
  return Math.max(0, ...text.split('\n').map((l) => stringWidth(l)));
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

function render(head: string[], rows: string[][], style: (s: string) => string): string {
  const table = new Table({
    head: head.map(style),
    style: { head: [], border: [], compact: true },
    wordWrap: false,
  });
  for (const r of rows) table.push(r);
  return table.toString();
}

/** Each row as "name: value" lines, values wrapped under themselves; rows apart by a blank line. */
function vertical(head: string[], rows: string[][], options: TableOptions): string {
  const style = options.head ?? ((s: string) => s);
  const label = Math.min(Math.max(...head.map((h) => stringWidth(h))), Math.floor(options.width / 3));
  const room = Math.max(options.width - label - 2, 1);
  return rows
    .map((row) =>
      row
        .map((cell, i) => {
          const name = truncateLine(head[i] || '-', label);
          const lines = fitCell(cell, room, options.columns?.[i]?.truncate ?? false).split('\n');
          const pad = ' '.repeat(label - stringWidth(name));
          return lines.map((l, k) => (k === 0 ? `${style(name)}${pad}  ${l}` : `${' '.repeat(label + 2)}${l}`)).join('\n');
        })
        .join('\n'),
    )
    .join('\n\n');
}

/** Renders a table no wider than `options.width`. */
export function fitTable(head: string[], rows: (string | number)[][], options: TableOptions): string {
  // Cells hold message bodies and names from outside: escape all but the line breaks we put there.
  const cells = rows.map((r) => r.map((c) => String(c).split('\n').map(escapeControl).join('\n')));
  const style = options.head ?? ((s: string) => s);
  const n = head.length;
  // cli-table3 draws "│ a │ b │": one border per column plus one, and a space each side.
  const chrome = 3 * n + 1;
  const natural = head.map((h, i) => Math.max(naturalWidth(h), ...cells.map((r) => naturalWidth(r[i] ?? ''))));
  if (natural.reduce((a, b) => a + b, 0) + chrome <= options.width) return render(head, cells, style);
  const widths = shareWidths(natural, options.width - chrome);
  if (widths.some((w, i) => w < Math.min(MIN_COLUMN, natural[i]!))) return vertical(head, cells, options);
  const fit = (text: string, i: number) => fitCell(text, widths[i]!, options.columns?.[i]?.truncate ?? false);
  return render(
    head.map((h, i) => fitCell(h, widths[i]!, false)),
    cells.map((r) => r.map(fit)),
    style,
  );
}
