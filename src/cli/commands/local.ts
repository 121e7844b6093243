import type { CommandContext } from '../context.js';
import { parseIntFlag } from '../../core/flags.js';
import { UsageError } from '../../core/errors.js';
import { sqsopsHome, localPaths } from '../../local/paths.js';
import { DEFAULTS } from '../../config.js';
import { tightenedNote } from '../../local/privacy.js';

function localPort(ctx: CommandContext): number {
  const raw = ctx.env.SQSOPS_LOCAL_PORT?.trim();
  return raw ? parseIntFlag('SQSOPS_LOCAL_PORT', raw, { min: 0, max: 65_535 }) : DEFAULTS.localPort;
}

/** Single-quotes a value for `eval` unless it is plainly safe. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export async function run(flags: { idleMinutes?: number }, ctx: CommandContext, args: string[]): Promise<void> {
  const [sub] = args;
  const home = sqsopsHome(ctx.env);
  const { ensureLocalAws, findLocalAws, stopLocalAws, resetLocalAws, localCredentials, restoringDaemon, localMemoryFromEnv, loadingText } =
    await import('../../local/manager.js');
  const { out } = ctx;
  // What every start from here shares with the other commands' (src/runtime/connect.ts).
  const starting = () => ({ home, memoryMb: localMemoryFromEnv(ctx.env), signal: ctx.signal, onWait: (m: string) => out.note(m) });
  switch (sub) {
    case 'start': {
      const idleMinutes = flags.idleMinutes;
      const port = localPort(ctx);
      const { server, started, tightened } = await ensureLocalAws({ ...starting(), port, idleMinutes });
      if (tightened) out.note(tightenedNote(home, tightened));
      if (out.json) out.printJson({ ...server, started });
      else out.print(`${started ? 'started' : 'already running'}: ${server.endpoint} (pid ${server.pid}, state ${home})`);
      return;
    }
    case 'stop': {
      const r = await stopLocalAws(home);
      if (out.json) out.printJson(r);
      else out.print(r.stopped ? `stopped (pid ${r.pid}); state kept in ${home}` : 'not running');
      return;
    }
    case 'reset': {
      await ctx.confirm(
        `Delete every queue, message, table and object of the local AWS in ${home}?`,
        'refusing to reset the local AWS without confirmation',
      );
      const r = await resetLocalAws(home);
      if (out.json) out.printJson(r);
      else out.print(`reset: removed ${r.removed}${r.stopped ? ' (stopped it first)' : ''}`);
      return;
    }
    case 'env': {
      const { server, tightened } = await ensureLocalAws({ ...starting(), port: localPort(ctx), idleMinutes: DEFAULTS.idleMinutes });
      if (tightened) out.note(tightenedNote(home, tightened));
      const { accessKeyId, secretAccessKey } = localCredentials(home);
      const region = ctx.globals.region ?? ctx.env.AWS_REGION ?? 'us-east-1';
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
      return;
    }
    case 'status': {
      const server = await findLocalAws(home);
      if (!server) {
        const restoring = restoringDaemon(home);
        if (restoring) {
          const { pid, queues, messages, at } = restoring;
          if (out.json) out.printJson({ running: false, home, restoring: { pid, queues, messages, since: at } });
          else out.print(`starting: daemon pid ${pid} is loading ${loadingText(restoring)} (since ${at})`);
          return;
        }
        const { runningDaemonPid } = await import('../../local/daemonProcess.js');
        const pid = runningDaemonPid(home);
        if (out.json) out.printJson({ running: false, home, unreachablePid: pid });
        else if (pid) out.print(`not answering: daemon pid ${pid} holds ${home} but cannot be reached; the next command restarts it`);
        else out.print(`not running (state dir ${home}; it starts on the next command, or with \`sqsops local start\`)`);
        return;
      }
      const { createClients } = await import('../../aws/clients.js');
      const { SqsQueues, queueNameFromUrl } = await import('../../aws/queue.js');
      const region = ctx.globals.region ?? ctx.env.AWS_REGION ?? 'us-east-1';
      const clients = createClients({ kind: 'local', region, endpoint: server.endpoint, credentials: localCredentials(home), home });
      ctx.onClose(() => clients.destroy());
      const queues = new SqsQueues(await clients.sqs(), ctx.signal, server.endpoint);
      const rows = [];
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
      const status = {
        running: true,
        endpoint: server.endpoint,
        pid: server.pid,
        home,
        data: localPaths(home).data,
        startedAt: server.startedAt,
        version: server.version,
        idleMinutes: server.idleMinutes,
        queues: rows,
      };
      if (out.json) {
        out.printJson(status);
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
      return;
    }
    default:
      throw new UsageError(`unknown local command "${sub}"`, { hint: 'use start, stop, status, env or reset' });
  }
}
