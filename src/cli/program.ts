/**
 * The command line: commands and flags only. Each action lazily imports its module
 * (the table below is the table of contents), so `sqsops --help` loads no AWS SDK,
 * driver or faker.
 */
import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version.js';
import { UsageError } from '../core/errors.js';
import { DEFAULTS } from '../config.js';
import { parseIntFlag, parsePathFlag, parseRatioFlag } from '../core/flags.js';
import type { CommandContext, GlobalOptions } from './context.js';

export type CommandName =
  | 'produce'
  | 'consume'
  | 'process-sqs'
  | 'tasks'
  | 'stats'
  | 'redrive-dlq'
  | 'show'
  | 'clear'
  | 'setup'
  | 'local'
  | 'download-urls'
  | 'purge'
  | 'move'
  | 'load'
  | 'tail'
  | 'completion';

/** The action every command runs: by default, import its module and call `run`. */
export type Dispatch = (name: CommandName, options: Record<string, unknown>, globals: GlobalOptions, args: string[]) => Promise<void>;

export interface CommandModule {
  // `never`: each command declares its own flags type, which commander's option table (defaults, parsers) fills.
  run(options: never, ctx: CommandContext, args: string[]): Promise<void>;
}

export const COMMANDS: Record<CommandName, () => Promise<CommandModule>> = {
  produce: () => import('./commands/produce.js'),
  consume: () => import('./commands/consume.js'),
  'process-sqs': () => import('./commands/processSqs.js'),
  tasks: () => import('./commands/tasks.js'),
  stats: () => import('./commands/stats.js'),
  'redrive-dlq': () => import('./commands/redriveDlq.js'),
  show: () => import('./commands/show.js'),
  clear: () => import('./commands/clear.js'),
  setup: () => import('./commands/setup.js'),
  local: () => import('./commands/local.js'),
  'download-urls': () => import('./commands/downloadUrls.js'),
  purge: () => import('./commands/purge.js'),
  move: () => import('./commands/move.js'),
  load: () => import('./commands/load.js'),
  tail: () => import('./commands/tail.js'),
  completion: () => import('./commands/completion.js'),
};

/** A whole-number option: commander hands the command a number, checked here against the range. */
function intOption(flags: string, description: string, range: { min?: number; max?: number }, dflt?: number): Option {
  const name = /--[\w-]+/.exec(flags)![0];
  const option = new Option(flags, description).argParser((raw: string) => parseIntFlag(name, raw, range));
  return dflt === undefined ? option : option.default(dflt);
}

/** A path option: an empty or blank path is a usage error before anything runs; `<x...>` takes several. */
function pathOption(flags: string, description: string): Option {
  const name = /--[\w-]+/.exec(flags)![0];
  const option = new Option(flags, description);
  return option.argParser((raw: string, previous: unknown) => {
    const path = parsePathFlag(name, raw);
    return option.variadic ? [...(Array.isArray(previous) ? previous : []), path] : path;
  });
}

/** `--filter`, repeatable, as move, redrive-dlq and tail read it (core/redriveFilter.ts). */
function filterOption(): Option {
  return new Option(
    '--filter <expr>',
    'only messages where body.<field>=<value> or attr.<name>=<value> (!= negates); repeat: all must hold',
  ).argParser((v: string, prev: string[] = []) => [...prev, v]);
}

/** A ratio option (0 to 1), as a number. */
function ratioOption(flags: string, description: string, dflt?: number): Option {
  const name = /--[\w-]+/.exec(flags)![0];
  const option = new Option(flags, description).argParser((raw: string) => parseRatioFlag(name, raw));
  return dflt === undefined ? option : option.default(dflt);
}

/**
 * The options `move` and `redrive-dlq` share: which messages (--max, --filter, --dry-run), how
 * fast (--rate) and how (--wait, --visibility-timeout, --concurrency). `byHand` says in the help
 * that they apply only when the command moves the messages itself; `afterRate` are the command's
 * own options that stand after --rate in its help.
 */
function addTransferOptions(
  command: Command,
  { byHand = false, afterRate = [] }: { byHand?: boolean; afterRate?: Option[] } = {},
): Command {
  const only = byHand ? 'by hand: ' : '';
  command
    .addOption(intOption('--max <n>', `move at most this many${byHand ? ' (moves by hand)' : ''}`, { min: 1 }))
    .addOption(filterOption())
    .option('--dry-run', 'show what would move; move nothing, leave everything visible')
    .addOption(intOption('--rate <n>', 'at most this many messages per second', { min: 1, max: 100_000 }));
  for (const option of afterRate) command.addOption(option);
  return command
    .addOption(
      intOption(
        '--wait <seconds>',
        `${only}long-poll wait; stops once the source is empty, or after one whole wait that brings nothing new`,
        { min: 0, max: 20 },
        20,
      ),
    )
    .addOption(
      intOption(
        '--visibility-timeout <seconds>',
        `${only}how long taken messages stay hidden (and how soon they return after a crash)`,
        { min: 5, max: 43_200 },
        30,
      ),
    )
    .addOption(
      intOption('--concurrency <n>', `${only}receive-send-delete loops at once (FIFO group order still holds)`, { min: 1, max: 64 }, 8),
    );
}

function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** `local`'s subcommands without options of their own: name, description, help examples. */
const LOCAL_SUBCOMMANDS: [string, string, string[]][] = [
  ['stop', 'stop it; its state stays on disk', ['sqsops local stop']],
  ['status', 'endpoint, pid, state dir, and every queue with its depth', ['sqsops local status']],
  [
    'env',
    'print its endpoint and credentials as shell exports, for the AWS CLI and SDK scripts',
    ['sqsops local env', 'eval "$(sqsops local env)"; aws sqs list-queues'],
  ],
  ['reset', 'stop it and delete all its state (queues, messages, tables, objects)', ['sqsops local reset --yes']],
];

export function buildProgram(dispatch: Dispatch): Command {
  const program = new Command('sqsops')
    // Commands throw instead of exiting: the entry owns the exit code (and tests parse safely).
    .exitOverride()
    .description(
      'Operate Amazon SQS pipelines: produce, consume, process, inspect and reset the idempotency ledger.\nWith no AWS configured, every command runs on an embedded local AWS (no account, no Docker).',
    )
    // -v as the AWS CLI has it; -V still works (hidden) for scripts written before.
    .version(VERSION, '-v, --version')
    .addOption(new Option('-V').hideHelp())
    .on('option:V', () => {
      process.stdout.write(`${VERSION}\n`);
      throw new CommanderError(0, 'commander.version', VERSION);
    })
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint (targets it as AWS)')
    .option('--region <region>', 'AWS region (default: AWS_REGION, the profile, or us-east-1 locally)')
    .option('--profile <name>', 'AWS named profile (targets real AWS)')
    .addOption(
      new Option('--output <format>', 'results on stdout as: table (for people), json, or ndjson (one JSON object a line)').choices([
        'table',
        'json',
        'ndjson',
      ]),
    )
    .option('--json', 'the same as --output json')
    .option('-q, --quiet', 'no progress or notes on stderr')
    .option('--debug', 'show stack traces and SDK details on errors')
    .option('-y, --yes', 'confirm destructive actions without asking')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .option('--wide', 'tables show every cell whole (bodies, long values), even past the terminal width')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', examples(['sqsops produce --count 100', 'sqsops consume --count 10', 'sqsops show', 'sqsops local status']));

  const act = (name: CommandName) =>
    async function action(this: Command, ...args: unknown[]) {
      const cmd = args[args.length - 1] as Command;
      const positional =
        name === 'local'
          ? [cmd.name()]
          : args
              .slice(0, -2)
              .flat()
              .filter((a): a is string => typeof a === 'string');
      const { endpointUrl, region, profile, json, output, quiet, debug, yes, color, wide, V: _v, ...options } = cmd.optsWithGlobals();
      if (json && output && output !== 'json') {
        throw new UsageError(`--json is --output json; it cannot go with --output ${output}`, { hint: 'give one of them' });
      }
      const format = output ?? (json ? 'json' : undefined);
      const globals: GlobalOptions = { endpointUrl, region, profile, json, output: format, quiet, debug, yes, color, wide };
      await dispatch(name, options, globals, positional);
    };

  program
    .command('produce')
    .description('send fake but realistic events (or a file of bodies) to a queue')
    .option('--queue <name|url>', 'queue to send to (default: SQSOPS_QUEUE or sqsops-events)')
    .option('--topic <name|arn>', 'publish through this SNS topic instead (PublishBatch), fanning out to its subscriptions')
    .addOption(intOption('-n, --count <n>', 'how many events to generate', { min: 1, max: 10_000_000 }, 10))
    .option('--template <name>', 'event template', 'order')
    .addOption(
      pathOption(
        '--from-file <path>',
        'send these bodies instead: a JSON array or NDJSON, - for stdin; an export (consume --out) keeps attributes, group and dedup id',
      ),
    )
    .addOption(intOption('--seed <n>', 'seed for reproducible data', { min: 0 }))
    .addOption(intOption('-c, --concurrency <n>', 'batches in flight at once', { min: 1, max: 256 }, DEFAULTS.produceConcurrency))
    .option('--group-by <field>', 'FIFO: body field used as MessageGroupId')
    .option('--dedup-id <mode>', 'FIFO: hash | random | <field> (default: content-based if the queue has it, else hash)')
    .addOption(ratioOption('--duplicates <ratio>', 'ratio of resent events (same business key), for testing', 0))
    .addOption(ratioOption('--invalid <ratio>', 'ratio of poison bodies, for testing', 0))
    .option(
      '--large-payload-bucket <name>',
      'store bodies over the threshold in this S3 bucket and send a pointer (SQS Extended Client format; default: SQSOPS_LARGE_PAYLOAD_BUCKET)',
    )
    .addOption(
      intOption(
        '--large-payload-threshold <bytes>',
        'with a bucket: body plus attributes over this size go to S3',
        { min: 1, max: 1_048_576 },
        1_048_576,
      ),
    )
    .option(
      '--trace',
      'OpenTelemetry: a span per message, its traceparent in a message attribute (default: SQSOPS_TRACE, or on with OTEL_EXPORTER_OTLP_ENDPOINT)',
    )
    .addHelpText(
      'after',
      examples([
        'sqsops produce --count 1000 --duplicates 0.05 --invalid 0.01',
        'sqsops produce --queue orders.fifo --group-by customerId',
      ]),
    )
    .action(act('produce'));

  program
    .command('consume')
    .description('take N messages: record each in the ledger, delete it, show it')
    .option('--queue <name|url>', 'queue to take from (default: SQSOPS_QUEUE or sqsops-events)')
    .addOption(intOption('-n, --count <n>', 'at most this many messages', { min: 1, max: 1_000_000 }, 10))
    .option('--peek', 'only look: no ledger, no delete, visible again at once (receive counts still rise)')
    .addOption(intOption('--wait <seconds>', 'long-poll wait for the first message; stops once the queue is empty', { min: 0, max: 20 }, 5))
    .option('--key <spec>', 'idempotency key: messageId, a body field (orderId), or a template "{orderId}#{version}"', 'messageId')
    .option('--consumer <name>', "whose ledger records these are, as process-sqs's (default: SQSOPS_CONSUMER or the queue's name)")
    .option('--keep-payloads', 'large payloads: keep the S3 object of each consumed pointer message (default: deleted with the message)')
    .addOption(
      pathOption(
        '--out <file>',
        'also append every message to this NDJSON file as an export record (body, attributes, group, dedup id; written before the delete)',
      ),
    )
    .option('--table <name>', 'ledger table (default: SQSOPS_LEDGER_TABLE or sqsops-ledger)')
    .addOption(
      pathOption('--schema <file>', 'JSON Schema every body must match, else it stays on the queue (default: the template schemas)'),
    )
    .option('--no-schema', 'check no schema, not even the template schemas')
    .addHelpText('after', examples(['sqsops consume --count 5', 'sqsops consume --count 100 --peek --json']))
    .action(act('consume'));

  program
    .command('process-sqs')
    .description('process a queue: claim each message in the ledger, write it to the sinks, then delete it; poison to the DLQ')
    .option('--queue <name|url>', 'queue to process (default: SQSOPS_QUEUE or sqsops-events)')
    .option('-c, --concurrency <n|auto>', 'parallel pollers (10 messages each), or auto: grow and shrink them with the queue (default: 4)')
    .option('--min-concurrency <n>', 'auto: fewest pollers, where it starts (default: 1)')
    .option('--max-concurrency <n>', 'auto: most pollers (default: 32)')
    .option('--target-age <seconds>', "auto: hold the oldest message's age under this (default: 30)")
    .option('-n, --count <n>', 'stop after this many messages')
    .option('--drain', "stop once the queue is empty (an empty receive and the queue's counters), or after one whole empty wait")
    .option('--wait <seconds>', 'long-poll wait, for the first message (default: 20)')
    .option('--key <spec>', 'idempotency key: messageId, a body field, or "{orderId}#{version}" (default: SQSOPS_KEY or messageId)')
    .option(
      '--consumer <name>',
      "whose ledger records these are: name one to share idempotency between queues (default: SQSOPS_CONSUMER or the queue's name)",
    )
    .addOption(
      pathOption(
        '--schema <file>',
        'JSON Schema every body must match, else it is poison (default: SQSOPS_SCHEMA or the template schemas)',
      ),
    )
    .option('--no-schema', 'check no schema, not even the template schemas')
    .option('--table <name>', 'ledger table (default: SQSOPS_LEDGER_TABLE or sqsops-ledger)')
    .option('--no-ledger', 'no idempotency ledger (sinks are still idempotent by key)')
    .option('--sink <name...>', 'sinks to write to: s3, mongodb, mssql (default: SQSOPS_SINKS)')
    .addOption(
      pathOption(
        '--handler <file...>',
        'your code: modules exporting a task, handle(message), or a custom sink write(batch) (default: SQSOPS_HANDLERS)',
      ),
    )
    .option('--bucket <name>', 's3 sink bucket (default: SQSOPS_BUCKET or sqsops-data)')
    .option('--s3-prefix <prefix>', 's3 sink key prefix (default: SQSOPS_S3_PREFIX or messages)')
    .option('--s3-mode <mode>', 's3 sink: object (one per message) or batch (NDJSON per batch) (default: SQSOPS_S3_MODE or object)')
    .option('--mongodb-url <url>', 'mongodb sink server (default: SQSOPS_MONGODB_URL)')
    .option('--mongodb-database <name>', 'mongodb sink database (default: SQSOPS_MONGODB_DATABASE or sqsops)')
    .option('--mongodb-collection <name>', 'mongodb sink collection (default: SQSOPS_MONGODB_COLLECTION or messages)')
    .option('--mssql-url <url>', 'mssql sink connection string (default: SQSOPS_MSSQL_URL)')
    .option('--mssql-table <name>', 'mssql sink table (default: SQSOPS_MSSQL_TABLE or dbo.sqsops_messages)')
    .addOption(pathOption('--handlers <dir>', 'your code: a folder (or JSON list) of modules, as --handler takes them'))
    .option('--pool-size <n>', 'task runs at once (default: 8)')
    .option(
      '--failure-task <name>',
      'the task run once when a message still fails from the rejects queue ("webhook": built-in, SQSOPS_WEBHOOK_URL)',
    )
    .option(
      '--rejects-queue [name|url]',
      'park messages whose tasks still fail in this queue (alone: <queue>-rejects; default: SQSOPS_REJECTS_QUEUE, else they are retried)',
    )
    .option('--rejects', 'consume the rejects queue: retry only the failed tasks, then run the failure task once')
    .option('--dlq <name|url>', "where poison goes (default: SQSOPS_DLQ_URL or the queue's redrive policy target)")
    .option('--ttl-days <n>', 'days ledger records are kept (default: SQSOPS_TTL_DAYS or 7)')
    .option(
      '--keep-payloads',
      'large payloads: keep the S3 object of each processed pointer message (default: SQSOPS_KEEP_PAYLOADS, else deleted after success)',
    )
    .option('--log-format <format>', 'one line per action: json, text, or off (default: SQSOPS_LOG_FORMAT or off)')
    .option('--metrics <format>', 'end-of-run metrics: table, emf (CloudWatch EMF) or none (default: SQSOPS_METRICS or table)')
    .option('--metrics-interval <seconds>', 'emf: one line per this many seconds on a long run, and one at the end (default: 60)')
    .option(
      '--metrics-port <port>',
      'serve /metrics (Prometheus), /healthz and /readyz on this port, 0 for any (default: SQSOPS_METRICS_PORT)',
    )
    .option('--metrics-host <host>', 'address the metrics server listens on (default: 127.0.0.1)')
    .option(
      '--trace',
      "OpenTelemetry: continue each message's trace, a span per stage (default: SQSOPS_TRACE, or on with OTEL_EXPORTER_OTLP_ENDPOINT)",
    )
    // Set by `load --workers-as-processes` on its workers, not for people: hidden from --help.
    .addOption(new Option('--load-run <id>', "take only this load run's messages (release the rest untouched)").hideHelp())
    .addHelpText(
      'after',
      examples([
        'sqsops process-sqs --key orderId --drain --wait 1',
        'sqsops process-sqs --concurrency auto --max-concurrency 16 --target-age 60 --drain --wait 1',
      ]),
    )
    .action(act('process-sqs'));

  program
    .command('tasks <path...>')
    .description('check your code for process-sqs --handler/--handlers (files, folders, JSON lists) and list what it holds')
    .option('--failure-task <name>', 'the task to use as the failure task')
    .addHelpText('after', examples(['sqsops tasks examples/tasks', 'sqsops tasks examples/tasks --json']))
    .action(act('tasks'));

  program
    .command('stats [prefix]')
    .description('every queue (or those starting with PREFIX): visible, in flight, delayed, and its DLQ depth')
    .option('--watch [seconds]', 'refresh every N seconds (default 5) until Ctrl-C: redrawn on a terminal, one block per refresh otherwise')
    .option('--interval <seconds>', 'with --watch: seconds between refreshes (default: 5)')
    .option('--workers <n>', 'show the backlog per worker: visible and delayed messages divided by N workers')
    .option('--target-age <seconds>', 'mark the oldest message OVER or ok against this age')
    .addHelpText('after', examples(['sqsops stats', 'sqsops stats sqsops- --workers 4 --target-age 120']))
    .action(act('stats'));

  program
    .command('show')
    .description('look records up in the idempotency ledger: by key, the first N, or a count')
    .argument('[keys...]', "show these keys' records (read by key, no scan)")
    .option('--table <name>', 'ledger table (default: SQSOPS_LEDGER_TABLE or sqsops-ledger)')
    .addOption(intOption('--limit <n>', 'rows to show: the first the table returns, read no further', { min: 1, max: 1_000_000 }, 50))
    .addOption(new Option('--status <status>', 'only rows with this status').choices(['COMPLETED', 'INPROGRESS', 'RELEASED']))
    .option('--consumer <name>', "only this consumer's records (a queue's name, or a --consumer name); with keys, read by id")
    .option('--count', 'count the records (with --status, those with it) instead of listing them')
    .addHelpText('after', examples(['sqsops show --limit 20', 'sqsops show --count --status COMPLETED']))
    .action(act('show'));

  program
    .command('clear')
    .description("delete every record in the idempotency ledger, or one consumer's (asks first on real AWS)")
    .option('--table <name>', 'ledger table (default: SQSOPS_LEDGER_TABLE or sqsops-ledger)')
    .option('--consumer <name>', "only this consumer's records (records from before consumers stay)")
    .addHelpText('after', examples(['sqsops clear --consumer orders-billing', 'sqsops clear']))
    .action(act('clear'));

  program
    .command('setup')
    .description('create queues (with DLQs), the ledger table and the bucket; idempotent')
    .addOption(pathOption('--config <file>', 'topology as JSON: {"queues": [...], "ledgerTable": "...", "bucket": "..."}'))
    .option('--queue <name...>', 'queues to create (a name ending in .fifo makes a FIFO queue)')
    .addOption(intOption('--max-receive-count <n>', 'receives before a message moves to the DLQ', { min: 1, max: 1000 }, 5))
    .option('--no-dlq', 'create the queues without a DLQ')
    .addOption(intOption('--visibility-timeout <seconds>', 'queue visibility timeout', { min: 0, max: 43_200 }, 30))
    .addOption(intOption('--wait-time <seconds>', 'queue long-poll wait (0-20)', { min: 0, max: 20 }, 20))
    .addOption(intOption('--retention <seconds>', 'message retention', { min: 60, max: 1_209_600 }, 345_600))
    .option('--content-based-dedup', 'FIFO queues deduplicate by body hash')
    .option('--table <name>', 'ledger table (default: SQSOPS_LEDGER_TABLE or sqsops-ledger)')
    .option('--bucket <name>', 'bucket (default: SQSOPS_BUCKET or sqsops-data)')
    .option('--topic <name>', 'an SNS topic that fans out to every --queue (with the queue policy that lets it send)')
    .option('--raw-delivery', 'with --topic: deliver messages without the SNS envelope')
    .option('--dry-run', 'print the plan, change nothing')
    .addHelpText(
      'after',
      examples([
        'sqsops setup --queue orders.fifo --content-based-dedup --max-receive-count 3',
        'sqsops setup --queue orders-processing orders-logistics --topic orders-events',
      ]),
    )
    .action(act('setup'));

  program
    .command('download-urls <file>')
    .description('download many URLs at once (retries, resume, checksums) into a folder or S3')
    .addOption(pathOption('-o, --out <dir>', 'folder for the files (default: the current folder)'))
    .option('--to-s3 <s3url>', 'stream every file into S3 instead: s3://bucket/prefix (bucket created on the local AWS)')
    .addOption(intOption('-c, --concurrency <n>', 'downloads in flight at once', { min: 1, max: 1024 }, 16))
    .addOption(intOption('--per-host <n>', 'at most this many at once per host (default: no cap)', { min: 1, max: 1024 }))
    .addOption(intOption('--retries <n>', 'retries per URL on network errors, 429 and 5xx', { min: 0, max: 100 }, 4))
    .option('--force', 'download again even when a complete file is there')
    .option(
      '--no-fsync',
      'do not wait for each file to reach the disk before its rename (faster; a crash can leave a final name with missing bytes)',
    )
    .option('--strict', 'download nothing if any entry in the input is bad')
    .addOption(intOption('--connect-timeout <seconds>', 'give up connecting after this long', { min: 1, max: 3600 }, 10))
    .addOption(intOption('--idle-timeout <seconds>', 'give up when the server is silent this long', { min: 1, max: 3600 }, 30))
    .addOption(intOption('--max-redirects <n>', 'redirects followed per URL', { min: 0, max: 50 }, 5))
    .addOption(pathOption('--ca <file>', 'also trust the CA certificates in this PEM file (as NODE_EXTRA_CA_CERTS does)'))
    .option(
      '--allow-address <cidr>',
      'let these addresses past the address rules (link-local refused, no redirect inward); repeat or comma-separate',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .addHelpText(
      'after',
      examples([
        'sqsops download-urls urls.json --out downloads',
        'sqsops download-urls urls.json --to-s3 s3://sqsops-data/downloads --json',
      ]),
    )
    .action(act('download-urls'));

  addTransferOptions(
    program
      .command('redrive-dlq')
      .description("move messages out of a DLQ, back to their source queue or to --to: SQS's move task, or by hand (filter, max, dry run)")
      .requiredOption('--from <name|url>', 'the DLQ to move messages out of')
      .option('--to <name|url>', 'destination (default: the queue whose redrive policy names the DLQ)'),
    { byHand: true, afterRate: [new Option('--manual', "move by hand even where SQS's move task could")] },
  )
    .addHelpText(
      'after',
      examples([
        'sqsops redrive-dlq --from sqsops-events-dlq --wait 1',
        'sqsops redrive-dlq --from sqsops-events-dlq --filter attr.eventType=OrderCreated --max 100 --dry-run --wait 1',
      ]),
    )
    .action(act('redrive-dlq'));

  addTransferOptions(
    program
      .command('move')
      .description('move (or --copy) messages from any queue to another queue, in any region or account, or to an NDJSON file')
      .requiredOption('--from <name|url>', 'the queue to take messages from')
      .addOption(
        pathOption(
          '--to <queue|url|file>',
          'a queue name, a queue URL (its region is read from it), or a file (.ndjson/.jsonl, or a path with /)',
        ).makeOptionMandatory(),
      )
      .option('--copy', 'leave the source in place: each copied message is made visible again (its receive count rises by one)')
      .option('--to-profile <name>', 'AWS profile of the destination account (--to a queue URL)'),
  )
    .addHelpText(
      'after',
      examples([
        'sqsops move --from sqsops-events --to backup.ndjson --copy --wait 1',
        'sqsops move --from sqsops-events-dlq --to sqsops-events --max 100 --wait 1',
      ]),
    )
    .action(act('move'));

  program
    .command('purge <queue>')
    .description('delete every message in a queue (SQS PurgeQueue; asks first on real AWS); reports how many it removed')
    .addHelpText('after', examples(['sqsops purge sqsops-events', 'sqsops purge sqsops-events-dlq --json']))
    .action(act('purge'));

  program
    .command('load')
    .description('send at a steady or ramped rate while K process-sqs workers consume: latency, throughput, depth, and an HTML report')
    .option('--queue <name|url>', 'queue to load; it must be empty (default: a queue of its own, sqsops-load-<run id>, removed at the end)')
    .option('--shared-queue', "with --queue: load it even though it holds others' messages (released untouched, never processed)")
    .option('--keep', "keep the run's own queue and the ledger records it wrote (default: removed at the end)")
    .option('--rate <spec>', 'messages per second: 500, or a ramp FROM..TO/TIME (100..2000/60s)', '100')
    .addOption(intOption('--steps <n>', 'cut the ramp into this many equal steps', { min: 2, max: 1000 }))
    .option('--duration <time>', 'how long to send: 90s, 5m, 1h (default: the ramp time, at least 30s)')
    .addOption(intOption('--workers <k>', 'process-sqs workers consuming', { min: 1, max: 64 }, 2))
    .option('--workers-as-processes', 'run each worker as its own sqsops process-sqs process')
    .option('--pause-workers-at <time>', 'stop the workers at this time since the start (a backlog builds) ...')
    .option('--resume-at <time>', '... and start them again at this time')
    .option('--max-age <time>', 'fail (exit 1) if any message waits longer than this from send to completed')
    .option('--drain-timeout <time>', 'after sending, wait at most this long for every message to complete', '60s')
    .option('--interval <time>', 'one sample (live view line, --json line, chart point) per interval', '1s')
    .option('--log-format <format>', 'stderr as: text (the live view), or json (one JSON object a line: target, samples, notes, errors)')
    .addOption(pathOption('--report <file>', 'write a self-contained HTML report (charts, no network needed)'))
    .addOption(intOption('--send-concurrency <n>', 'SendMessageBatch calls in flight at once', { min: 1, max: 256 }, 16))
    .addOption(intOption('-c, --concurrency <n>', 'pollers per worker (as process-sqs --concurrency)', { min: 1, max: 100 }, 4))
    .option('--key <spec>', 'idempotency key (as process-sqs --key)', 'messageId')
    .option('--table <name>', 'ledger table (default: SQSOPS_LEDGER_TABLE or sqsops-ledger)')
    .option('--no-ledger', 'no idempotency ledger')
    .option('--sink <name...>', 'sinks to write to: s3, mongodb, mssql (as process-sqs)')
    .addOption(pathOption('--handler <file...>', 'your code: tasks or custom sinks (as process-sqs)'))
    .addOption(pathOption('--schema <file>', 'JSON Schema the body must match'))
    .option('--bucket <name>', 's3 sink bucket (default: SQSOPS_BUCKET or sqsops-data)')
    .addHelpText(
      'after',
      examples(['sqsops load --rate 20 --duration 5s --report load.html', 'sqsops load --rate 10..40/6s --steps 3 --duration 6s --json']),
    )
    .action(act('load'));

  const local = program
    .command('local')
    .description('manage the embedded local AWS (fauxqs + dynalite on 127.0.0.1)')
    .addHelpText('after', examples(['sqsops local status', 'sqsops local stop']));
  local
    .command('start')
    .description('start it in the background (commands also start it on demand)')
    .addOption(intOption('--idle-minutes <n>', 'exit after this long without requests (0 = never)', { min: 0, max: 10_080 }, 0))
    .addHelpText('after', examples(['sqsops local start', 'sqsops local start --idle-minutes 60']))
    .action(act('local'));
  for (const [name, description, lines] of LOCAL_SUBCOMMANDS) {
    local.command(name).description(description).addHelpText('after', examples(lines)).action(act('local'));
  }

  program
    .command('tail [queue]')
    .description('follow messages as they arrive without taking them: each is shown once and made visible again at once')
    .addOption(filterOption())
    .addOption(intOption('-n, --count <n>', 'stop after showing this many', { min: 1 }))
    .addOption(intOption('--duration <seconds>', 'stop after this many seconds', { min: 1, max: 86_400 }))
    .addOption(intOption('--interval <seconds>', 'seconds between polls', { min: 1, max: 3_600 }, 5))
    .option('--force', 'start even where the run could push messages to the DLQ (see below)')
    .addHelpText(
      'after',
      `\nEvery receive raises a message's receive count, and a message that stays on the queue is\nreceived again at each poll; past the queue's maxReceiveCount it goes to the DLQ. So tail\nrefuses a queue with a redrive policy unless --duration keeps its polls below that count\n(or --force). Nothing is recorded or deleted.\n${examples(
        ['sqsops tail --duration 8', 'sqsops tail sqsops-events --filter attr.eventType=OrderCreated --output ndjson --duration 8'],
      )}`,
    )
    .action(act('tail'));

  program
    .command('completion <shell>')
    .description('print a shell completion script (bash, zsh or fish), generated from these commands and options')
    .addHelpText(
      'after',
      examples([
        'sqsops completion fish > ~/.config/fish/completions/sqsops.fish',
        'eval "$(sqsops completion bash)"          # in ~/.bashrc',
      ]),
    )
    .action(act('completion'));

  return program;
}

/** The default dispatch: import the command's module and run it. */
export function moduleDispatch(makeContext: (globals: GlobalOptions) => Promise<CommandContext & { close(): void }>): Dispatch {
  return async (name, options, globals, args) => {
    const ctx = await makeContext(globals);
    try {
      const mod = await COMMANDS[name]();
      await mod.run(options as never, ctx, args);
    } finally {
      ctx.close();
    }
  };
}
