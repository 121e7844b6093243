import type { CommandContext } from '../context.js';
import { consumerFrom } from '../../core/consumer.js';
import { compileKey } from '../../core/keys.js';
import { InterruptedError, PartialFailureError, SqsopsError, stopSignalOf, UsageError } from '../../core/errors.js';
import { consume, type ConsumedMessage, type ConsumeResult } from '../../features/consume/consume.js';
import { attributeLines, BODY_COLUMN, MESSAGE_DATA, redactedJson } from '../output.js';

export interface ConsumeFlags {
  queue?: string;
  count: number;
  peek?: boolean;
  wait: number;
  key?: string;
  consumer?: string;
  out?: string;
  table?: string;
  keepPayloads?: boolean;
  schema?: string | false;
}

/** How the messages reach stdout: each batch printed (and flushed) before it is deleted, then the end. */
interface View {
  handOver?: (batch: ConsumedMessage[]) => Promise<void>;
  end(result: ConsumeResult): Promise<void>;
}

export async function run(flags: ConsumeFlags, ctx: CommandContext): Promise<void> {
  const count = flags.count;
  const waitSeconds = flags.wait;
  compileKey(flags.key); // a malformed --key fails before we touch the queue
  const consumer = consumerFrom(flags.consumer, ctx.env.SQSOPS_CONSUMER);
  const { buildValidator } = await import('../../pipeline/schema.js');
  const { schemaChoice } = await import('../../features/process/config.js');
  const schema = await buildValidator(schemaChoice(flags.schema, ctx.env.SQSOPS_SCHEMA));
  // `--out -` is the export on stdout (like `--from-file -`): the table would mix into it.
  const toStdout = flags.out === '-';
  if (toStdout && ctx.out.json) {
    throw new UsageError('--out - already writes NDJSON to stdout; it cannot go with --output json/ndjson', { hint: 'drop one of them' });
  }
  const clients = await ctx.connect();
  const spinner = await ctx.out.spinner(`${flags.peek ? 'peeking at' : 'taking'} up to ${count} messages`);
  const view: View = toStdout
    ? { end: async () => {} }
    : flags.out !== undefined
      ? fileView(ctx, flags.out)
      : ctx.out.format === 'json'
        ? jsonView(ctx)
        : ctx.out.json
          ? ndjsonView(ctx)
          : tableView(ctx);
  let result: ConsumeResult;
  try {
    result = await consume(clients, {
      queue: flags.queue ?? ctx.names.queue,
      count,
      peek: flags.peek ?? false,
      waitSeconds,
      ledgerTable: flags.table ?? ctx.names.ledgerTable,
      keepPayloads: flags.keepPayloads ?? false,
      key: flags.key,
      consumer,
      out: toStdout ? undefined : flags.out,
      outStream: toStdout ? process.stdout : undefined,
      handOver: view.handOver,
      schema,
      signal: ctx.signal,
      notify: (m) => ctx.out.note(m),
      onProgress: ({ received }) => spinner.update(`received ${received}/${count}`),
    });
  } catch (e) {
    spinner.fail();
    throw e;
  }
  spinner.stop();
  // The end of the JSON document, or nothing: a reader gone by now misses only the counts, also said on stderr.
  await view.end(result).catch(() => undefined);
  summary(result, ctx);
  throwIfShort(result, ctx);
}

/** One table per received batch, printed before that batch is deleted. */
function tableView(ctx: CommandContext): View {
  const { out } = ctx;
  let first = true;
  return {
    // Batches apart by a blank line, as the records within one are.
    handOver: async (batch) => {
      if (!batch.length) return;
      await out.printFlushed(`${first ? '' : '\n'}${table(batch, ctx)}`);
      first = false;
    },
    async end(r) {
      if (r.taken === 0) out.note(`no messages on ${r.queue}`);
    },
  };
}

function table(batch: ConsumedMessage[], { out }: CommandContext): string {
  return out.table(
    ['message id', 'key', 'recv', 'sent at', 'status', 'attributes', 'body'],
    batch.map((m) => {
      const status = m.error ? `${m.status}: ${m.error}` : m.status;
      const key = m.key === m.messageId ? '(message id)' : m.key;
      return [m.messageId, key, m.receiveCount, m.sentAt ?? '', status, attributeLines(m.attributes), m.body];
    }),
    // The attributes and body columns are the messages themselves (data): shown as they are; the rest redacted.
    [{}, {}, {}, {}, {}, { data: true }, BODY_COLUMN],
  );
}

/** `--out FILE`: the messages are in the file; stdout carries the counts only. */
function fileView({ out }: CommandContext, file: string): View {
  return {
    async end(r) {
      const { messages: _m, ...counts } = r;
      if (out.json) return out.printJson({ ...counts, out: file });
      const rows: [string, string | number][] = [
        ['written to', file],
        ['taken', r.taken],
        ['exported', r.handedOver],
        ['deleted', r.deleted],
        ['left on the queue', r.failed],
        ['released', r.released],
      ];
      out.print(out.table([`consume ${r.queue}`, ''], rows));
    },
  };
}

/** One message a line, each line out before its message is deleted. */
function ndjsonView({ out }: CommandContext): View {
  return {
    handOver: (batch) => (batch.length ? out.printFlushed(batch.map((m) => redactedJson(m, MESSAGE_DATA)).join('\n')) : Promise.resolve()),
    end: async () => {},
  };
}

/**
 * One JSON document, written as it goes: "messages" first (each batch before its delete), then
 * the counts. After Ctrl-C the document is still closed, so it parses.
 */
function jsonView({ out }: CommandContext): View {
  let opened = false;
  const indent = (m: ConsumedMessage) => redactedJson(m, MESSAGE_DATA, 2).replace(/^/gm, '    ');
  return {
    async handOver(batch) {
      if (!batch.length) return;
      await out.printFlushed(`${opened ? ',\n' : '{\n  "messages": [\n'}${batch.map(indent).join(',\n')}`.replace(/\n$/, ''));
      opened = true;
    },
    async end(r) {
      const { messages: _m, ...counts } = r;
      await out.printFlushed(`${opened ? '' : '{\n  "messages": ['}\n  ],${redactedJson(counts, [], 2).slice(1)}`);
    },
  };
}

function summary(r: ConsumeResult, ctx: CommandContext): void {
  if (r.peek) {
    ctx.out.note(`${r.handedOver} peeked on ${r.queue}; all visible again`);
    return;
  }
  ctx.out.note(
    `${r.taken} taken from ${r.queue}: ${r.handedOver} handed over (${r.recorded} recorded, ${r.duplicates} duplicates), ` +
      `${r.deleted} deleted, ${r.failed} left on the queue, ${r.released} released`,
  );
}

/** Exit 130/143 after a signal, 1 after a closed stdout, a failed write or a message left behind. */
function throwIfShort(r: ConsumeResult, ctx: CommandContext): void {
  const onQueue = r.left ? `; ${r.queue} holds ${r.left.visible}${r.left.inFlight ? ` (+${r.left.inFlight} in flight)` : ''}` : '';
  const done = `${r.deleted} handed over and deleted, ${r.released} released${onQueue}`;
  const signal = stopSignalOf(ctx.signal);
  if (r.stoppedBy === 'interrupted' && signal) {
    throw new InterruptedError(signal, `interrupted: ${done}`, {
      hint: 'released messages are visible again at once; one whose release failed comes back after its visibility timeout',
    });
  }
  if (r.stoppedBy === 'interrupted' || r.stoppedBy === 'stdout was closed by its reader') {
    throw new SqsopsError(`stdout was closed by its reader: ${done}`, {
      hint: 'what was not printed was not deleted; run again to take the rest',
    });
  }
  if (r.stoppedBy) {
    const exported = `${r.deleted} exported and deleted, ${r.released} released${onQueue}`;
    throw new PartialFailureError(`${r.stoppedBy}: ${exported}`, {
      hint: 'what is not in the file was not deleted; free space and run again',
    });
  }
  const behind = r.failed + (r.peek ? 0 : r.handedOver - r.deleted);
  if (behind > 0) {
    throw new PartialFailureError(`${behind} of ${r.taken} messages were left on the queue`, {
      hint: 'see the status column; nothing was deleted without being recorded first',
    });
  }
}
