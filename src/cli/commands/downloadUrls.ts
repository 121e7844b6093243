import { resolve } from 'node:path';
import type { CommandContext } from '../context.js';
import { PartialFailureError, UsageError } from '../../core/errors.js';
import {
  AddressPolicy,
  downloadUrls,
  parseS3Url,
  readDownloadLists,
  type DownloadOptions,
  type DownloadReport,
  type EntryProblem,
} from '../../features/download/index.js';

export interface DownloadUrlsFlags {
  out?: string;
  toS3?: string;
  concurrency: number;
  perHost?: number;
  retries: number;
  force?: boolean;
  /** False with --no-fsync. */
  fsync?: boolean;
  strict?: boolean;
  connectTimeout: number;
  idleTimeout: number;
  maxRedirects: number;
  ca?: string;
  allowAddress?: string[];
}

/** Rows shown in the table; --json has them all. */
const MAX_ROWS = 50;

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  // A rate below 1 KiB/s is a fraction of bytes: one decimal, like the other units.
  return u === 0 ? `${Number.isInteger(v) ? v : v.toFixed(1)} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

/** Shortens from the middle: the host and the file name are the parts people read. */
function middle(text: string, width: number): string {
  if (text.length <= width) return text;
  const head = Math.ceil((width - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
}

function listProblems(ctx: CommandContext, problems: readonly EntryProblem[]): void {
  for (const p of problems) ctx.out.warn(`${p.source}: ${p.problem}`);
}

/** The flags checked before anything is read or fetched: a typo here would otherwise fail every URL. */
function checkedFlags(flags: DownloadUrlsFlags) {
  const allowAddresses = (flags.allowAddress ?? []).flatMap((a) => a.split(',')).filter(Boolean);
  for (const a of allowAddresses) {
    if (!AddressPolicy.parses(a))
      throw new UsageError(`--allow-address "${a}" is not an address or CIDR`, {
        hint: 'give e.g. 10.0.0.0/8, 169.254.169.254 or fd00::/8',
      });
  }
  if (flags.toS3 && flags.out) throw new UsageError('--out and --to-s3 both name a destination: give one');
  const s3Url = flags.toS3 !== undefined ? parseS3Url(flags.toS3) : undefined;
  if (flags.toS3 !== undefined && !s3Url) throw new UsageError(`--to-s3 must look like s3://bucket/prefix, not "${flags.toS3}"`);
  return { allowAddresses, s3Url };
}

/** The entries of FILE; no good entry, or a bad one under --strict, is a usage error listing the problems. */
async function readEntries(file: string, strict: boolean | undefined, ctx: CommandContext) {
  const lists = await readDownloadLists(file, process.stdin);
  if (lists.ignored.length)
    ctx.out.note(`ignored ${lists.ignored.length} file(s) in ${file} that are not lists: ${lists.ignored.slice(0, 5).join(', ')}`);
  const bad = lists.problems.length;
  if (lists.entries.length === 0) {
    listProblems(ctx, lists.problems);
    throw new UsageError(bad ? `no valid entries in ${file}` : `${file} has no entries`, {
      hint: 'give a JSON array or one entry per line: a URL, or {"url", "path"?, "sha256"?, "headers"?}',
    });
  }
  if (bad && strict) {
    listProblems(ctx, lists.problems);
    throw new UsageError(`${bad} bad entr${bad === 1 ? 'y' : 'ies'} in ${file}; nothing was downloaded (--strict)`, {
      hint: 'fix the entries above, or drop --strict to download the good ones',
    });
  }
  if (bad) ctx.out.warn(`${bad} bad entr${bad === 1 ? 'y is' : 'ies are'} skipped (listed at the end)`);
  return lists;
}

/** Where the files go: the S3 prefix (its client from the target), or the folder. */
async function setDestination(
  options: DownloadOptions,
  s3Url: ReturnType<typeof parseS3Url>,
  out: string | undefined,
  ctx: CommandContext,
) {
  if (!s3Url) {
    options.outDir = out ?? '.';
    ctx.out.note(`target: folder ${resolve(options.outDir)}`);
    return;
  }
  const clients = await ctx.connect();
  options.s3 = {
    client: await clients.s3(),
    bucket: s3Url.bucket,
    prefix: s3Url.prefix,
    // The embedded local AWS starts empty: creating the bucket is the helpful thing. On AWS it is the user's call.
    createBucket: clients.target.kind === 'local',
    region: clients.target.region,
    ...(clients.endpointOf('s3') ? { endpoint: clients.endpointOf('s3')! } : {}),
  };
}

/** The downloads under a spinner that shows files, bytes and rate. */
async function underSpinner(options: DownloadOptions, ctx: CommandContext): Promise<DownloadReport> {
  const total = options.entries.length;
  const spinner = await ctx.out.spinner(`downloading ${total} file${total === 1 ? '' : 's'}`);
  try {
    const report = await downloadUrls(options, (p) => {
      spinner.update(
        `${p.done}/${p.total} files, ${formatBytes(p.bytes)} at ${formatBytes(p.bytesPerSecond)}/s${p.failed ? `, ${p.failed} failed` : ''}`,
      );
    });
    spinner.stop();
    return report;
  } catch (e: unknown) {
    spinner.fail();
    throw e;
  }
}

/** A run with failed downloads or invalid entries did not do all it was asked: what, and how to retry. */
function partialFailure(report: DownloadReport, toS3: boolean, ctx: CommandContext): PartialFailureError {
  const parts = [
    report.failed ? `${report.failed} of ${report.total} downloads failed` : '',
    report.invalid ? `${report.invalid} entr${report.invalid === 1 ? 'y was' : 'ies were'} invalid` : '',
  ];
  return new PartialFailureError(`${parts.filter(Boolean).join(', ')}${report.stoppedBy ? ` (${report.stoppedBy})` : ''}`, {
    hint: ctx.out.json
      ? 'see "items" and "problems" in the JSON output'
      : `run again to retry the failed ones: finished ${toS3 ? 'objects are skipped' : 'files are skipped and large .part files resume'}`,
  });
}

export async function run(flags: DownloadUrlsFlags, ctx: CommandContext, args: string[]): Promise<void> {
  const file = args[0];
  if (!file) throw new UsageError('download-urls needs a FILE (a JSON or NDJSON list of URLs, a folder of them, or - for stdin)');
  const { allowAddresses, s3Url } = checkedFlags(flags);
  const lists = await readEntries(file, flags.strict, ctx);
  const options: DownloadOptions = {
    entries: lists.entries,
    problems: lists.problems,
    concurrency: flags.concurrency,
    perHost: flags.perHost ?? 0,
    retries: flags.retries,
    force: flags.force ?? false,
    durable: flags.fsync !== false,
    connectTimeoutMs: flags.connectTimeout * 1000,
    idleTimeoutMs: flags.idleTimeout * 1000,
    maxRedirects: flags.maxRedirects,
    caFile: flags.ca === undefined ? undefined : resolve(flags.ca),
    allowAddresses,
    signal: ctx.signal,
  };
  await setDestination(options, s3Url, flags.out, ctx);
  const report = await underSpinner(options, ctx);
  render(report, ctx);
  if (report.failed > 0 || report.invalid > 0) throw partialFailure(report, s3Url !== undefined, ctx);
}

function render(r: DownloadReport, ctx: CommandContext): void {
  const { out } = ctx;
  if (out.json) {
    out.printJson(r, r.items);
    return;
  }
  // Failures first: with thousands of rows they are the ones worth the screen.
  const rows = [...r.items.filter((i) => i.status === 'failed'), ...r.items.filter((i) => i.status !== 'failed')];
  const shown = rows.slice(0, MAX_ROWS);
  out.print(
    out.table(
      ['url', 'status', 'size', 'time', 'attempts', 'error'],
      shown.map((i) => [
        // Whole, to be copied; cut in the middle only when wider than a line of its own (--wide: never).
        middle(i.url, out.wide ? Number.POSITIVE_INFINITY : out.width),
        i.status,
        i.status === 'failed' || i.status === 'skipped' ? '' : formatBytes(i.size),
        `${(i.durationMs / 1000).toFixed(2)} s`,
        i.attempts,
        i.error ?? i.note ?? '',
      ]),
    ),
  );
  if (rows.length > shown.length) out.print(`… and ${rows.length - shown.length} more (use --json for all)`);
  if (r.problems.length)
    out.print(
      out.table(
        ['invalid entry', 'problem'],
        r.problems.map((p) => [p.source, p.problem]),
      ),
    );
  out.print(
    out.table(
      ['download-urls', ''],
      [
        ['destination', r.destination],
        ['downloaded', r.downloaded],
        ['skipped', r.skipped],
        ['failed', r.failed],
        ['invalid', r.invalid],
        ['received', formatBytes(r.bytes)],
        ['time', `${(r.durationMs / 1000).toFixed(2)} s`],
        ['rate', `${formatBytes(r.bytesPerSecond)}/s`],
      ],
    ),
  );
}
