import { readFile } from 'node:fs/promises';
import type { CommandContext } from '../context.js';
import { decodeUtf8, parseBodies } from '../../core/input.js';
import { parseRecords } from '../../core/messageRecord.js';
import { PartialFailureError, UsageError } from '../../core/errors.js';
import { produce, type ProduceInput, type ProduceResult } from '../../features/produce/produce.js';
import { rate } from '../output.js';
import { DEFAULTS } from '../../config.js';
import { openTracing } from '../../runtime/tracing.js';

export interface ProduceFlags {
  queue?: string;
  topic?: string;
  count: number;
  template?: string;
  fromFile?: string;
  seed?: number;
  concurrency: number;
  groupBy?: string;
  dedupId?: string;
  duplicates: number;
  invalid: number;
  largePayloadBucket?: string;
  largePayloadThreshold: number;
  trace?: boolean;
}

async function readInputs(path: string, stdin: NodeJS.ReadableStream): Promise<ProduceInput[]> {
  let text: string;
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(Buffer.from(c as Buffer));
    text = decodeUtf8(Buffer.concat(chunks), 'stdin');
  } else {
    try {
      text = decodeUtf8(await readFile(path), path);
    } catch (e: unknown) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
        hint: 'check the path given to --from-file',
        cause: e,
      });
    }
  }
  const source = path === '-' ? 'stdin' : path;
  // An export (consume --out, move --to file) brings attributes, group and dedup id back with the body.
  const records = parseRecords(text, source);
  if (records) return records;
  const isArray = text.trimStart().startsWith('[');
  const lines = isArray
    ? []
    : text
        .split('\n')
        .map((l, i) => (l.trim() ? i + 1 : 0))
        .filter((n) => n > 0);
  return parseBodies(text, source).map((body, i) => ({ body, source: isArray ? `${source}[${i}]` : `${source}:${lines[i]}` }));
}

export async function run(flags: ProduceFlags, ctx: CommandContext): Promise<void> {
  const count = flags.count;
  const concurrency = flags.concurrency;
  const duplicates = flags.duplicates;
  const invalid = flags.invalid;
  if (duplicates + invalid > 1) throw new UsageError('--duplicates and --invalid together must not exceed 1');
  if (flags.queue && flags.topic) {
    throw new UsageError('--queue and --topic are two destinations; give one', {
      hint: 'the topic fans out to its subscribed queues (`sqsops setup --topic`)',
    });
  }
  const seed = flags.seed;
  if (flags.fromFile && (duplicates > 0 || invalid > 0 || flags.seed !== undefined)) {
    throw new UsageError('--duplicates, --invalid and --seed apply to generated events, not to --from-file');
  }
  const largePayloadBucket = flags.largePayloadBucket ?? (ctx.env.SQSOPS_LARGE_PAYLOAD_BUCKET || undefined);
  const largePayloadThreshold = flags.largePayloadThreshold;
  const inputs = flags.fromFile ? await readInputs(flags.fromFile, process.stdin) : undefined;
  const clients = await ctx.connect();
  const total = inputs?.length ?? count;
  const spinner = await ctx.out.spinner(`sending ${total} messages`);
  const started = performance.now();
  let shown = 0;
  let result: ProduceResult;
  const tracing = await openTracing(ctx.env, { flag: flags.trace });
  try {
    result = await produce(clients, {
      queue: flags.queue ?? ctx.names.queue,
      topic: flags.topic,
      count,
      inputs,
      template: flags.template ?? DEFAULTS.produce.template,
      seed,
      concurrency,
      groupBy: flags.groupBy,
      dedupId: flags.dedupId,
      duplicates,
      invalid,
      largePayloadBucket,
      largePayloadThreshold,
      tracing,
      signal: ctx.signal,
      notify: (m) => ctx.out.note(m),
      onProgress: ({ sent, failed, unconfirmed }) => {
        // Called twice a batch; the spinner redraws every 80 ms, so finer updates are formatting for nothing.
        const now = performance.now();
        if (now - shown < 100) return;
        shown = now;
        const secs = (now - started) / 1000;
        const notes = `${failed ? `, ${failed} failed` : ''}${unconfirmed ? `, ${unconfirmed} unconfirmed` : ''}`;
        spinner.update(`sent ${sent}/${total}${notes} (${rate(sent / Math.max(secs, 0.001))} msg/s)`);
      },
    });
  } catch (e) {
    spinner.fail();
    throw e;
  } finally {
    await tracing.shutdown();
  }
  spinner.stop();
  render(result, ctx);
  if (result.failed.length > 0 || result.unconfirmed.length > 0) throw notAllSent(result, ctx.out.json);
}

/** Exit 1 with what was not confirmed: failed (surely not sent) and unconfirmed (may be on the queue) apart. */
function notAllSent(r: ProduceResult, json: boolean): PartialFailureError {
  const failed = r.failed.length;
  const unsure = r.unconfirmed.length;
  const maybe = 'the server may have stored them';
  let said = `${failed} of ${r.total} messages were not sent`;
  if (unsure && failed) said += ` and ${unsure} are unconfirmed (${maybe})`;
  else if (unsure) said = `${unsure} of ${r.total} messages are unconfirmed: ${maybe}`;
  const stopped = r.stoppedBy ? ` (${r.stoppedBy})` : '';
  const where = json ? 'see "failed" and "unconfirmed" in the JSON output' : 'the tables above list each by its place in the input';
  return new PartialFailureError(`${said}${stopped}`, {
    hint: r.resend ? `${where}; ${r.resend}` : where,
  });
}

function render(r: ProduceResult, ctx: CommandContext): void {
  const { out } = ctx;
  if (out.json) {
    out.printJson(r);
    return;
  }
  const rows: (string | number)[][] = [
    [r.topic ? 'topic' : 'queue', `${r.queue}${r.fifo ? ' (FIFO)' : ''}`],
    ['sent', r.sent],
    ['failed', r.failed.length],
  ];
  if (r.unconfirmed.length) rows.push(['unconfirmed', r.unconfirmed.length]);
  if (r.injected.duplicates || r.injected.invalid)
    rows.push(['injected', `${r.injected.duplicates} duplicates, ${r.injected.invalid} poison`]);
  rows.push(['time', `${(r.durationMs / 1000).toFixed(2)} s`], ['msg/s', rate(r.messagesPerSecond)]);
  out.print(out.table(['produce', ''], rows));
  listed(
    ctx,
    ['not sent', 'code', 'reason'],
    r.failed.map((f) => [f.source, f.code, f.reason]),
  );
  listed(
    ctx,
    ['unconfirmed', 'code', 'reason'],
    r.unconfirmed.map((u) => [u.source, u.code, u.reason]),
  );
  listed(
    ctx,
    ['payload left in S3', 'object', 'why'],
    r.payloadsLeft.map((p) => [p.source, `s3://${p.bucket}/${p.key}`, p.reason]),
  );
}

/** A table of at most 50 rows, with how many more there are. */
function listed(ctx: CommandContext, head: string[], rows: string[][]): void {
  if (rows.length === 0) return;
  ctx.out.print(ctx.out.table(head, rows.slice(0, 50)));
  if (rows.length > 50) ctx.out.print(`… and ${rows.length - 50} more (use --json for all)`);
}
