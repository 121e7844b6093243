import type { CommandContext } from '../context.js';
import { consumerFrom } from '../../core/consumer.js';
import { compileKey } from '../../core/keys.js';
import { PartialFailureError, UsageError } from '../../core/errors.js';
import { consume, type ConsumeResult } from '../../features/consume/consume.js';
import { attributeLines, preview } from '../output.js';

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

export async function run(flags: ConsumeFlags, ctx: CommandContext): Promise<void> {
  const count = flags.count;
  const waitSeconds = flags.wait;
  compileKey(flags.key); // a malformed --key fails before we touch the queue
  const consumer = consumerFrom(flags.consumer, ctx.env.SQSOPS_CONSUMER);
  const { buildValidator } = await import('../../features/process/schema.js');
  const { schemaChoice } = await import('../../features/process/config.js');
  const schema = await buildValidator(schemaChoice(flags.schema, ctx.env.SQSOPS_SCHEMA));
  // `--out -` is the export on stdout (like `--from-file -`): the table would mix into it.
  const toStdout = flags.out === '-';
  if (toStdout && ctx.out.json) {
    throw new UsageError('--out - already writes NDJSON to stdout; it cannot go with --output json/ndjson', { hint: 'drop one of them' });
  }
  const clients = await ctx.connect();
  const spinner = await ctx.out.spinner(`${flags.peek ? 'peeking at' : 'taking'} up to ${count} messages`);
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
  if (toStdout) summary(result, ctx);
  else render(result, ctx);
  if (result.failed > 0) {
    throw new PartialFailureError(`${result.failed} of ${result.messages.length} messages were left on the queue`, {
      hint: 'see the status column; nothing was deleted without being recorded first',
    });
  }
}

function render(r: ConsumeResult, ctx: CommandContext): void {
  const { out } = ctx;
  if (out.json) {
    out.printJson(r, r.messages);
    return;
  }
  if (r.messages.length === 0) {
    out.note(`no messages on ${r.queue}`);
    return;
  }
  out.print(
    out.table(
      ['message id', 'key', 'recv', 'sent at', 'status', 'attributes', 'body'],
      r.messages.map((m) => {
        const status = m.error ? `${m.status}: ${m.error}` : m.status;
        const key = m.key === m.messageId ? '(message id)' : m.key;
        return [m.messageId, key, m.receiveCount, m.sentAt ?? '', status, attributeLines(m.attributes), preview(m.body, 48)];
      }),
      [{}, {}, {}, {}, {}, {}, { truncate: true }],
    ),
  );
  summary(r, ctx);
}

function summary(r: ConsumeResult, ctx: CommandContext): void {
  ctx.out.note(
    r.peek
      ? `${r.messages.length} peeked on ${r.queue}; all visible again`
      : `${r.messages.length} received from ${r.queue}: ${r.recorded} recorded, ${r.duplicates} duplicates, ${r.deleted} deleted`,
  );
}
