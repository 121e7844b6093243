/**
 * The output contract: data to stdout, progress and notes to stderr; tables and
 * spinners for people on a terminal; `--output json|ndjson` for programs. Colour is
 * decided per stream (a table redirected to a file gets no escape codes even when
 * stderr is a terminal), and tables fit the width of the terminal they go to.
 *
 * Commands use `Output` and nothing else to write: `print`/`table`/`printJson` for
 * data, `note`/`warn`/`error` for people, `spinner` and `live` for progress.
 */
import type { Writable } from 'node:stream';
import { Chalk, type ChalkInstance } from 'chalk';
import { escapeControl, fitTable, truncateLine, type ColumnOptions } from './table.js';

export { escapeControl } from './table.js';

export type { ColumnOptions } from './table.js';
export type OutputFormat = 'table' | 'json' | 'ndjson';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'ndjson'];

type Stream = Writable & { isTTY?: boolean; columns?: number };

export interface OutputOptions {
  /** @default 'table' */
  format?: OutputFormat;
  /** The same as format 'json' (kept for callers written before --output). */
  json?: boolean;
  quiet?: boolean;
  /** false for --no-color; otherwise the environment and the stream decide. */
  color?: boolean;
  stdout?: Stream;
  stderr?: Stream;
  env?: NodeJS.ProcessEnv;
}

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

/** A block of stdout redrawn in place (stats --watch), even when its lines wrap. */
export interface LiveBlock {
  /** True on a terminal: each update replaces the last one. */
  readonly redraws: boolean;
  update(text: string): void;
  done(): void;
}

const NO_SPINNER: Spinner = { update() {}, succeed() {}, fail() {}, stop() {} };

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

  /** A note for people (stderr); --quiet drops it. */
  note(message: string): void {
    if (!this.quiet) this.stderr.write(`${this.c.dim(message)}\n`);
  }

  warn(message: string): void {
    this.stderr.write(`${this.c.yellow('warning:')} ${escapeControl(message)}\n`);
  }

  /** One line and a hint; control characters from echoed input are shown escaped, never acted on. */
  error(message: string, hint?: string): void {
    const h = hint ? `\n${this.c.dim(`hint: ${escapeControl(hint)}`)}` : '';
    this.stderr.write(`${this.c.red('error:')} ${escapeControl(message)}${h}\n`);
  }

  /** Data (stdout). */
  print(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
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
   */
  printJson(value: unknown, items?: readonly unknown[]): void {
    if (this.format === 'ndjson') {
      const lines = (items ?? [value]).map((v) => JSON.stringify(v));
      if (lines.length) this.stdout.write(`${lines.join('\n')}\n`);
      return;
    }
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A table no wider than the output (see table.ts for how it wraps, cuts or turns vertical). */
  table(head: string[], rows: (string | number)[][], columns?: ColumnOptions[]): string {
    return fitTable(head, rows, { width: this.width, head: (h) => this.co.bold(h), columns });
  }

  /** A spinner on stderr when it is a terminal and nobody asked for quiet or JSON. */
  async spinner(text: string): Promise<Spinner> {
    if (this.json || this.quiet || !this.stderr.isTTY) return NO_SPINNER;
    const { default: ora } = await import('ora');
    const s = ora({ text, stream: this.stderr, color: 'cyan' }).start();
    return {
      update: (t) => {
        s.text = t;
      },
      succeed: (t) => s.succeed(t),
      fail: (t) => s.fail(t),
      stop: () => s.stop(),
    };
  }

  /** Redraws in place on a terminal (log-update counts wrapped lines); elsewhere appends each block. */
  async live(): Promise<LiveBlock> {
    if (!this.stdout.isTTY || this.json) return { redraws: false, update: (t) => this.print(t), done() {} };
    const { createLogUpdate } = await import('log-update');
    const draw = createLogUpdate(this.stdout as NodeJS.WriteStream, { showCursor: true });
    return { redraws: true, update: (t) => draw(t), done: () => draw.done() };
  }
}

/** Shortens a body for a table cell (tables also cut to the width; this keeps rows one line). */
export function preview(text: string, width = 60): string {
  return truncateLine(text, width);
}

/** Message attributes for a table cell: one `name=value` a line. */
export function attributeLines(attributes: Record<string, string> | undefined): string {
  return Object.entries(attributes ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

export function rate(perSecond: number): string {
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}
