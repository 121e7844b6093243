import type { CommandContext } from '../context.js';
import { parseIntFlag } from '../../core/flags.js';
import { UsageError } from '../../core/errors.js';
import { sqsopsHome, localPaths } from '../../local/paths.js';
import { DEFAULTS } from '../../config.js';
import { tightenedNote } from '../../local/privacy.js';
import type { EnsureLocalOptions, ServerFile } from '../../local/manager.js';

function localPort(ctx: CommandContext): number {
  const raw = ctx.env.SQSOPS_LOCAL_PORT?.trim();
  return raw ? parseIntFlag('SQSOPS_LOCAL_PORT', raw, { min: 0, max: 65_535 }) : DEFAULTS.localPort;
}

/** Single-quotes a value for `eval` unless it is plainly safe. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

type Manager = typeof import('../../local/manager.js');

/** What one subcommand is given: the context, the state dir, the manager module and the start options. */
interface Local {
  ctx: CommandContext;
  home: string;
  manager: Manager;
  starting: () => Pick<EnsureLocalOptions, 'home' | 'memoryMb' | 'signal' | 'onWait'>;
}

function regionOf(ctx: CommandContext): string {
  return ctx.globals.region ?? ctx.env.AWS_REGION ?? DEFAULTS.region;
}

async function start({ ctx, home, manager, starting }: Local, idleMinutes: number | undefined): Promise<void> {
  const { out } = ctx;
  const { server, started, tightened } = await manager.ensureLocalAws({ ...starting(), port: localPort(ctx), idleMinutes });
  if (tightened) out.note(tightenedNote(home, tightened));
  if (out.json) out.printJson({ ...server, started });
  else out.print(`${started ? 'started' : 'already running'}: ${server.endpoint} (pid ${server.pid}, state ${home})`);
}

async function stop({ ctx: { out }, home, manager }: Local): Promise<void> {
  const r = await manager.stopLocalAws(home);
  if (out.json) out.printJson(r);
  else out.print(r.stopped ? `stopped (pid ${r.pid}); state kept in ${home}` : 'not running');
}

async function reset({ ctx, home, manager }: Local): Promise<void> {
  await ctx.confirm(
    `Delete every queue, message, table and object of the local AWS in ${home}?`,
    'refusing to reset the local AWS without confirmation',
  );
  const r = await manager.resetLocalAws(home);
  if (ctx.out.json) ctx.out.printJson(r);
  else ctx.out.print(`reset: removed ${r.removed}${r.stopped ? ' (stopped it first)' : ''}`);
}

async function env({ ctx, home, manager, starting }: Local): Promise<void> {
  const { out } = ctx;
  const { server, tightened } = await manager.ensureLocalAws({ ...starting(), port: localPort(ctx), idleMinutes: DEFAULTS.idleMinutes });
  if (tightened) out.note(tightenedNote(home, tightened));
  const { accessKeyId, secretAccessKey } = manager.localCredentials(home);
  const region = regionOf(ctx);
  // AWS CLI v1 reads only AWS_DEFAULT_REGION; the SDKs and CLI v2 read AWS_REGION first.
  const vars = {
    AWS_ENDPOINT_URL: server.endpoint,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
  };
  // The one output whose purpose is a credential (the local AWS's own, for `eval`): data, printed as it is.
  if (out.json) out.printJson(vars, undefined, { data: Object.keys(vars) });
  else
    out.printData(
      Object.entries(vars)
        .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
        .join('\n'),
    );
}

/** `local status` when no daemon answers: still loading its state, holding it unreachable, or not running. */
async function notAnswering({ ctx: { out }, home, manager }: Local): Promise<void> {
  const restoring = manager.restoringDaemon(home);
  if (restoring) {
    const { pid, queues, messages, at } = restoring;
    if (out.json) out.printJson({ running: false, home, restoring: { pid, queues, messages, since: at } });
    else out.print(`starting: daemon pid ${pid} is loading ${manager.loadingText(restoring)} (since ${at})`);
    return;
  }
  // Between taking its lock and counting what it stored: starting, not hung.
  const starting = manager.startingDaemon(home);
  if (starting) {
    if (out.json) out.printJson({ running: false, home, starting: { pid: starting.pid, since: starting.at } });
    else out.print(`starting: daemon pid ${starting.pid} (since ${starting.at})`);
    return;
  }
  const { runningDaemonPid } = await import('../../local/daemonProcess.js');
  const pid = runningDaemonPid(home);
  if (out.json) out.printJson({ running: false, home, unreachablePid: pid });
  else if (pid) out.print(`not answering: daemon pid ${pid} holds ${home} but cannot be reached; the next command restarts it`);
  else out.print(`not running (state dir ${home}; it starts on the next command, or with \`sqsops local start\`)`);
}

interface QueueRow {
  name: string;
  visible: number;
  inFlight: number;
  delayed: number;
}

/** Every queue of the running local AWS with its depth. */
async function queueRows({ ctx, home, manager }: Local, server: ServerFile): Promise<QueueRow[]> {
  const { createClients } = await import('../../aws/clients.js');
  const { SqsQueues, queueNameFromUrl } = await import('../../aws/queue.js');
  const credentials = manager.localCredentials(home);
  const clients = createClients({ kind: 'local', region: regionOf(ctx), endpoint: server.endpoint, credentials, home });
  ctx.onClose(() => clients.destroy());
  const queues = new SqsQueues(await clients.sqs(), ctx.signal, server.endpoint);
  const rows: QueueRow[] = [];
  for (const url of await queues.list()) {
    const a = await queues.attributes(url, [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed',
    ]);
    rows.push({
      name: queueNameFromUrl(url),
      visible: Number(a.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
    });
  }
  return rows;
}

async function status(local: Local): Promise<void> {
  const { ctx, home, manager } = local;
  const { out } = ctx;
  const server = await manager.findLocalAws(home);
  if (!server) return notAnswering(local);
  const rows = await queueRows(local, server);
  if (out.json) {
    const { endpoint, pid, startedAt, version, idleMinutes } = server;
    out.printJson({ running: true, endpoint, pid, home, data: localPaths(home).data, startedAt, version, idleMinutes, queues: rows });
    return;
  }
  out.print(
    out.table(
      ['local AWS', ''],
      [
        ['endpoint', server.endpoint],
        ['pid', server.pid],
        ['state dir', home],
        ['started', server.startedAt],
        ['idle exit', server.idleMinutes ? `after ${server.idleMinutes} min` : 'never'],
      ],
    ),
  );
  if (rows.length)
    out.print(
      out.table(
        ['queue', 'visible', 'in flight', 'delayed'],
        rows.map((r) => [r.name, r.visible, r.inFlight, r.delayed]),
      ),
    );
  else out.note('no queues yet');
}

export async function run(flags: { idleMinutes?: number }, ctx: CommandContext, args: string[]): Promise<void> {
  const [sub] = args;
  const home = sqsopsHome(ctx.env);
  const manager = await import('../../local/manager.js');
  // What every start from here shares with the other commands' (src/runtime/connect.ts).
  const starting = () => ({
    home,
    memoryMb: manager.localMemoryFromEnv(ctx.env),
    signal: ctx.signal,
    onWait: (m: string) => ctx.out.note(m),
  });
  const local: Local = { ctx, home, manager, starting };
  switch (sub) {
    case 'start':
      return start(local, flags.idleMinutes);
    case 'stop':
      return stop(local);
    case 'reset':
      return reset(local);
    case 'env':
      return env(local);
    case 'status':
      return status(local);
    default:
      throw new UsageError(`unknown local command "${sub}"`, { hint: 'use start, stop, status, env or reset' });
  }
}
