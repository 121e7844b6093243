/**
 * The output contract: data to stdout, progress and notes to stderr; tables and
 * spinners for people on a TTY; `--json` for programs; NO_COLOR honoured.
 */
import type { Writable } from 'node:stream';
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable & { isTTY?: boolean };
}

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

const NO_SPINNER: Spinner = { update() {}, succeed() {}, fail() {}, stop() {} };

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly c: ChalkInstance;
  private readonly stdout: Writable & { isTTY?: boolean };
  private readonly stderr: Writable & { isTTY?: boolean };

  constructor(options: OutputOptions = {}) {
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.json = options.json ?? false;
    this.quiet = options.quiet ?? false;
    const color = (options.color ?? true) && !process.env.NO_COLOR && Boolean(this.stderr.isTTY);
    this.c = new Chalk({ level: color ? 1 : 0 });
  }

  /** A note for people (stderr); --quiet drops it. */
  note(message: string): void {
    if (!this.quiet) this.stderr.write(`${this.c.dim(message)}\n`);
  }

  warn(message: string): void {
    this.stderr.write(`${this.c.yellow('warning:')} ${message}\n`);
  }

  error(message: string, hint?: string): void {
    this.stderr.write(`${this.c.red('error:')} ${message}${hint ? `\n${this.c.dim(`hint: ${hint}`)}` : ''}\n`);
  }

  /** Data (stdout). */
  print(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  printJson(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  table(head: string[], rows: (string | number)[][]): string {
    const table = new Table({
      head: head.map((h) => this.c.bold(h)),
      style: { head: [], border: [], compact: true },
      wordWrap: false,
    });
    for (const r of rows) table.push(r.map(String));
    return table.toString();
  }

  /** A spinner on stderr when it is a TTY and nobody asked for quiet or JSON. */
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
}

/** Shortens a body for a table cell. */
export function preview(text: string, width = 60): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

export function rate(perSecond: number): string {
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}
