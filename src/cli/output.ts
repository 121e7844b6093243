/**
 * The output contract: data to stdout, progress and notes to stderr; tables and
 * spinners for people on a terminal; `--output json|ndjson` for programs. Colour is
 * decided per stream (a table redirected to a file gets no escape codes even when
 * stderr is a terminal), and tables fit the width of the terminal they go to.
 *
 * Commands use `Output` and nothing else to write: `print`/`table`/`printJson` for
 * results, `note`/`warn`/`error`/`debug`/`log` for people, `spinner` and `live` for progress.
 * Every one of them redacts (src/core/redact.ts) before it styles and writes. The exceptions
 * are data the user asked for, named as such by the caller: message bodies, attributes and
 * group ids (`printData`, a table column marked `data`, `printJson`'s `data` keys), which are
 * printed exactly as they are, since a masked body would corrupt what the user exports.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { isSecretName, MASK, redact, redactKnown } from '../core/redact.js';
import { escapeControl, fitTable, type ColumnOptions as TableColumn } from './table.js';
import { drawable, startSpinner, NO_SPINNER, type Spinner, type Stream } from './terminal.js';

export { escapeControl } from './table.js';

export type { Spinner } from './terminal.js';
export type OutputFormat = 'table' | 'json' | 'ndjson';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'ndjson'];

export interface ColumnOptions extends TableColumn {
  /** The column shows message content (body, attributes): printed as it is, never redacted. */
  data?: boolean;
}

/** What a message carries, shown as it is: its body, attributes and group (see docs/security.md). */
export const MESSAGE_DATA: readonly string[] = ['body', 'attributes', 'groupId'];

/** Our own colour codes survive redaction (which turns every other control character into "?"). */
const SGR = /(\x1b\[[0-9;]*m)/;

/** Text we styled ourselves, redacted between its colour codes. */
function redactStyled(text: string): string {
  return text
    .split(SGR)
    .map((piece, i) => (i % 2 ? piece : redact(piece)))
    .join('');
}

/**
 * JSON with every string redacted and every credential-named field masked, except under
 * the `data` keys (a message's body and attributes), whose whole subtree is kept as it is.
 */
export function redactedJson(value: unknown, data: readonly string[] = [], space?: number): string {
  const keep = new Set(data);
  const inData = new WeakSet<object>();
  return JSON.stringify(
    value,
    function (this: unknown, key: string, v: unknown) {
      if (keep.has(key) || (typeof this === 'object' && this !== null && inData.has(this))) {
        if (v && typeof v === 'object') inData.add(v);
        return v;
      }
      if (typeof v !== 'string') return v;
      return key && isSecretName(key) ? MASK : redact(v);
    },
    space,
  );
}

export interface OutputOptions {
  /** @default 'table' */
  format?: OutputFormat;
  /** The same as format 'json' (kept for callers written before --output). */
  json?: boolean;
  quiet?: boolean;
  /** false for --no-color; otherwise the environment and the stream decide. */
  color?: boolean;
  /** Tables show every cell whole, however wide (--wide). @default false */
  wide?: boolean;
  stdout?: Stream;
  stderr?: Stream;
  env?: NodeJS.ProcessEnv;
}

/** A block of stdout redrawn in place (stats --watch), even when its lines wrap. */
export interface LiveBlock {
  /** True on a terminal: each update replaces the last one. */
  readonly redraws: boolean;
  update(text: string): void;
  done(): void;
}

/** Width of a table when no terminal tells us: wide enough for ids and timestamps side by side. */
export const DEFAULT_WIDTH = 120;

/**
 * Whether to colour one stream: --no-color, then FORCE_COLOR (as Node and chalk read
 * it: "0"/"false" off, anything else on), then NO_COLOR, then whether it is a terminal.
 */
export function colorLevel(stream: Stream, env: NodeJS.ProcessEnv, flag = true): 0 | 1 | 2 | 3 {
  if (!flag) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    return force === '2' ? 2 : force === '3' ? 3 : 1;
  }
  if (env.NO_COLOR) return 0;
  return stream.isTTY && env.TERM !== 'dumb' ? 1 : 0;
}

/** The width tables must fit: the terminal's, else COLUMNS, else stderr's terminal, else 120. */
export function outputWidth(stdout: Stream, stderr: Stream, env: NodeJS.ProcessEnv): number {
  if (stdout.isTTY && stdout.columns) return stdout.columns;
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv >= 20) return fromEnv;
  // `sqsops show | less`: the reader is still the person at this terminal.
  if (stderr.isTTY && stderr.columns) return stderr.columns;
  return DEFAULT_WIDTH;
}

export class Output {
  readonly format: OutputFormat;
  readonly quiet: boolean;
  readonly wide: boolean;
  /** Every stderr line one JSON object (--log-format json): set by logAsJson(). */
  private jsonStderr = false;
  /** Colours for stderr (notes, errors). */
  readonly c: ChalkInstance;
  /** Colours for stdout (tables). */
  readonly co: ChalkInstance;
  private readonly stdout: Stream;
  private readonly stderr: Stream;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: OutputOptions = {}) {
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.env = options.env ?? process.env;
    this.format = options.format ?? (options.json ? 'json' : 'table');
    this.quiet = options.quiet ?? false;
    this.wide = options.wide ?? false;
    this.c = new Chalk({ level: colorLevel(this.stderr, this.env, options.color) });
    this.co = new Chalk({ level: colorLevel(this.stdout, this.env, options.color) });
  }

  /** Machine output (json or ndjson) instead of tables. */
  get json(): boolean {
    return this.format !== 'table';
  }

  /** The widest line a table may have on stdout. */
  get width(): number {
    return outputWidth(this.stdout, this.stderr, this.env);
  }

  /**
   * From now on every stderr line is one JSON object, `{"level", "message", "hint"?}`, for a
   * log collector (--log-format json): notes, warnings, errors, the target line, the summary.
   */
  logAsJson(): void {
    this.jsonStderr = true;
  }

  get logsJson(): boolean {
    return this.jsonStderr;
  }

  /** One stderr line as JSON, redacted (a hint, our own words, only of registered secrets); also for main's signal lines. */
  event(level: 'note' | 'warn' | 'error' | 'debug', message: string, hint?: string): void {
    const line = { level, message: redact(message), ...(hint ? { hint: redactKnown(hint) } : {}) };
    this.stderr.write(`${JSON.stringify(line)}\n`);
  }

  /** A note for people (stderr); --quiet drops it. */
  note(message: string): void {
    if (this.quiet) return;
    if (this.jsonStderr) this.event('note', message);
    else this.stderr.write(`${this.c.dim(redact(message))}\n`);
  }

  warn(message: string): void {
    if (this.jsonStderr) this.event('warn', message);
    else this.stderr.write(`${this.c.yellow('warning:')} ${escapeControl(redact(message))}\n`);
  }

  /**
   * One line and a hint; control characters from echoed input are shown escaped, never acted on.
   * A hint is our own words, whose examples look like secrets: only registered secrets are masked in it.
   */
  error(message: string, hint?: string): void {
    if (this.jsonStderr) {
      this.event('error', message, hint);
      return;
    }
    const h = hint ? `\n${this.c.dim(`hint: ${escapeControl(redactKnown(hint))}`)}` : '';
    this.stderr.write(`${this.c.red('error:')} ${escapeControl(redact(message))}${h}\n`);
  }

  /** --debug details (stacks, causes) on stderr. */
  debug(text: string): void {
    if (this.jsonStderr) this.event('debug', text.trimEnd());
    else this.stderr.write(redact(text.endsWith('\n') ? text : `${text}\n`));
  }

  /** One action-log line (stderr, kept under --quiet): a JSON line stays JSON, value by value. */
  log(line: string): void {
    let text = redact(line);
    let json = false;
    if (line.startsWith('{')) {
      try {
        text = redactedJson(JSON.parse(line));
        json = true;
      } catch {
        // not JSON after all: redacted as text
      }
    }
    if (this.jsonStderr && !json) this.event('note', line);
    else this.stderr.write(`${text}\n`);
  }

  /** A result for people (stdout): a table, a summary line. */
  print(text: string): void {
    this.write(redactStyled(text));
  }

  /** Message content the user asked to see or export (stdout), exactly as it is. */
  printData(text: string): void {
    this.write(text);
  }

  /** A table whose `data` columns hold message content (see `table`): printed as built. */
  printTable(head: string[], rows: (string | number)[][], columns?: ColumnOptions[]): void {
    this.write(this.table(head, rows, columns));
  }

  /**
   * Data (stdout), resolved once the stream has taken it (its write callback): what must be out
   * before something else happens (consume deletes after it) waits for this. A closed pipe rejects (EPIPE).
   */
  printFlushed(text: string): Promise<void> {
    const line = text.endsWith('\n') ? text : `${text}\n`;
    return new Promise((resolve, reject) => this.stdout.write(line, (e?: Error | null) => (e ? reject(e) : resolve())));
  }

  /**
   * A result for programs: `json` prints `value` indented; `ndjson` prints each of
   * `items` on its own line when the result is a list (messages, rows), else `value` on one line.
   * Under the `data` keys (MESSAGE_DATA for messages) values are kept as they are.
   */
  printJson(value: unknown, items?: readonly unknown[], options: { data?: readonly string[] } = {}): void {
    if (this.format === 'ndjson') {
      const lines = (items ?? [value]).map((v) => redactedJson(v, options.data));
      if (lines.length) this.stdout.write(`${lines.join('\n')}\n`);
      return;
    }
    this.stdout.write(`${redactedJson(value, options.data, 2)}\n`);
  }

  /** One JSON object on one line (a sample, a refresh, an EMF record), redacted as printJson does. */
  printLine(value: unknown): void {
    this.stdout.write(`${redactedJson(value)}\n`);
  }

  /**
   * A table no wider than the output (see table.ts for how it wraps, cuts or turns into records);
   * every cell redacted, except in columns marked `data`.
   */
  table(head: string[], rows: (string | number)[][], columns?: ColumnOptions[]): string {
    const safe = rows.map((row) => row.map((cell, i) => (columns?.[i]?.data || typeof cell === 'number' ? cell : redact(cell))));
    return fitTable(
      head.map((h) => redact(h)),
      safe,
      { width: this.width, head: (h) => this.co.bold(h), columns, wide: this.wide },
    );
  }

  /** A spinner on stderr when it is a terminal we can draw on and nobody asked for quiet or JSON. */
  async spinner(text: string): Promise<Spinner> {
    if (this.json || this.quiet) return NO_SPINNER;
    const s = await startSpinner(this.stderr, redact(text));
    return {
      update: (t) => s.update(redact(t)),
      succeed: (t) => s.succeed(t === undefined ? t : redact(t)),
      fail: (t) => s.fail(t === undefined ? t : redact(t)),
      stop: () => s.stop(),
    };
  }

  /**
   * Redraws in place on a terminal we can draw on (log-update counts wrapped lines); elsewhere,
   * or once the terminal has shrunk to nothing, appends each block.
   */
  async live(): Promise<LiveBlock> {
    if (!drawable(this.stdout) || this.json) return { redraws: false, update: (t) => this.print(t), done() {} };
    const { createLogUpdate } = await import('log-update');
    const draw = createLogUpdate(this.stdout as NodeJS.WriteStream, { showCursor: true });
    return {
      redraws: true,
      update: (t) => (drawable(this.stdout) ? draw(redactStyled(t)) : this.print(t)),
      done: () => draw.done(),
    };
  }

  /** Width of stderr when it is a terminal we can draw on (the load view), else undefined. */
  get stderrColumns(): number | undefined {
    return drawable(this.stderr) ? this.stderr.columns : undefined;
  }

  /**
   * Draws `lines` on stderr over the `previous` lines drawn last time (the load view): up to the
   * first of them, clear down, write. The first line dimmed. False, drawing nothing, off a terminal.
   */
  redrawStderr(previous: number, lines: string[]): boolean {
    if (!drawable(this.stderr) || lines.length === 0) return false;
    const up = previous ? `\x1b[${previous}A\r\x1b[J` : '';
    const [first = '', ...rest] = lines.map((l) => redact(l));
    this.stderr.write(`${up}${this.c.dim(first)}\n${rest.map((l) => `${l}\n`).join('')}`);
    return true;
  }

  private write(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

/** How much of a body a table shows, cut with "…" (less where the line leaves less room); --wide shows it whole. */
export const BODY_PREVIEW = 48;

/** The body column of a message table: message content (never redacted), cut to BODY_PREVIEW. */
export const BODY_COLUMN: ColumnOptions = { truncate: BODY_PREVIEW, data: true };

/** Message attributes for a table cell: one `name=value` a line. */
export function attributeLines(attributes: Record<string, string> | undefined): string {
  return Object.entries(attributes ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

export function rate(perSecond: number): string {
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}
