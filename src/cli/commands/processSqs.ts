import type { CommandContext } from '../context.js';
import { PartialFailureError, partialResultOf } from '../../core/errors.js';
import { emfLine, Metrics, outcomeIdentity, SUMMARY_COUNTERS } from '../../core/metrics.js';
import { resolveProcessConfig, type ProcessConfig, type ProcessFlags } from '../../features/process/config.js';
import type { MetricsServer } from '../../features/process/metricsServer.js';
import type { AwsClients } from '../../aws/clients.js';
import { createActionLog } from '../../features/process/log.js';
import type { ProcessSqsResult } from '../../features/process/runner.js';
import { rate } from '../output.js';
import { runKeySuffix, sentByRun } from '../../features/load/runMark.js';
import { openTracing } from '../../runtime/tracing.js';

export type { ProcessFlags };

export async function run(flags: ProcessFlags, ctx: CommandContext): Promise<void> {
  const config = resolveProcessConfig(ctx.env, flags);
  // A JSON action log makes all of stderr JSON (target, notes, summary, errors): one parser reads it.
  if (config.logFormat === 'json') ctx.out.logAsJson();
  const { loadTaskSet } = await import('../../features/process/taskSinks.js');
  // A broken task folder fails before anything is connected or created.
  const taskSet = config.tasks ? await loadTaskSet(config.tasks, ctx.env) : undefined;
  const clients = await ctx.connect();
  const notify = (m: string) => ctx.out.note(m);
  const metrics = new Metrics();
  const live = await serveMetrics(config, metrics, clients, ctx);
  const log = createActionLog(config.logFormat, (line) => ctx.out.log(line));
  const started = performance.now();
  // Action logs own stderr when they are on: no spinner to interleave with them.
  const spinner = config.logFormat === 'off' ? await ctx.out.spinner('waiting for messages') : { update() {}, stop() {} };
  const emf = startEmf(config, metrics, ctx);
  const { processSqs, runOptions } = await import('../../features/process/runner.js');
  const tracing = await openTracing(ctx.env, { flag: flags.trace });
  const result = await processSqs(clients, {
    ...runOptions(config),
    ...(taskSet ? { taskSet } : {}),
    env: ctx.env,
    ...(config.tasks?.rejects ? { keySuffix: '#rejects' } : {}),
    // A load run's worker: only that run's messages, its ledger keys apart from real data.
    ...(flags.loadRun ? { keySuffix: runKeySuffix(flags.loadRun), accept: sentByRun(flags.loadRun) } : {}),
    signal: ctx.signal,
    notify,
    log,
    metrics,
    ...(live ? { observer: live.observer } : {}),
    stages: tracing.observer,
    onProgress: (m) => {
      const secs = (performance.now() - started) / 1000;
      spinner.update(`${outcomeIdentity(m.snapshot()).line} (${rate(m.get('MessagesReceived') / Math.max(secs, 0.001))} msg/s)`);
    },
  })
    .catch((e: unknown) => {
      // What ran before the error still adds up: the summary first, then the error line.
      const partial = partialResultOf<ProcessSqsResult>(e);
      if (partial) {
        spinner.stop();
        render(partial, config.metrics, ctx, emf.reported);
      }
      throw e;
    })
    .finally(async () => {
      spinner.stop();
      clearInterval(emf.timer);
      await live?.close();
      await tracing.shutdown();
    });
  render(result, config.metrics, ctx, emf.reported);
  if (config.ledgerTable !== false) ctx.out.note(`ledger consumer: ${result.consumer}`);
  verdict(result, config.tasks?.rejectsQueue, ctx);
}

/** EMF: one line per --metrics-interval with that interval's counts, so a long run reports as it goes. */
function startEmf(config: ProcessConfig, metrics: Metrics, ctx: CommandContext) {
  const emf: { reported: Record<string, number>; timer?: NodeJS.Timeout } = { reported: metrics.snapshot() };
  if (config.metrics !== 'emf') return emf;
  emf.timer = setInterval(() => {
    ctx.out.printLine(JSON.parse(emfLine(metrics.since(emf.reported), { Queue: config.queue })));
    emf.reported = metrics.snapshot();
  }, config.metricsInterval * 1000);
  emf.timer.unref();
  return emf;
}

/** `--metrics-port`: the live endpoint, loaded only when asked for (prom-client stays out of every other run). */
async function serveMetrics(
  config: ProcessConfig,
  metrics: Metrics,
  clients: AwsClients,
  ctx: CommandContext,
): Promise<MetricsServer | undefined> {
  if (config.metricsPort === undefined) return undefined;
  const { startMetricsServer } = await import('../../features/process/metricsServer.js');
  const server = await startMetricsServer({
    port: config.metricsPort,
    host: config.metricsHost,
    metrics,
    clients,
    draining: () => ctx.signal.aborted,
    notify: (m) => ctx.out.note(m),
  });
  ctx.out.note(`metrics: ${server.url}/metrics (health: /healthz, ready: /readyz)`);
  if (!/^(127\.|localhost$|::1$)/.test(config.metricsHost)) {
    ctx.out.note(`the metrics server listens on ${config.metricsHost}: whoever reaches this host can read the queue's counters`);
  }
  return server;
}

function render(result: ProcessSqsResult, format: string, ctx: CommandContext, reported: Record<string, number>): void {
  const { out } = ctx;
  const identity = outcomeIdentity(result.metrics);
  if (format === 'emf') {
    const sinceLast = Object.fromEntries(Object.entries(result.metrics).map(([k, v]) => [k, v - (reported[k] ?? 0)]));
    out.printLine(JSON.parse(emfLine(sinceLast, { Queue: result.queue })));
  }
  if (out.json) out.printJson({ ...result, identity: identity.line, identityHolds: identity.holds });
  else if (format === 'table') {
    const rows = Object.entries(result.metrics)
      .filter(([k, v]) => v !== 0 || SUMMARY_COUNTERS.includes(k))
      .map(([k, v]) => [k, v]);
    rows.push(['time', `${(result.durationMs / 1000).toFixed(2)} s`], ['msg/s', rate(result.messagesPerSecond)]);
    out.print(out.table([`process-sqs ${result.queue}`, ''], rows));
  }
  out.note(identity.line);
  out.note(`schema: ${result.schema}`);
}

/**
 * Exit 0 only if every received message reached a final outcome: saved, duplicate,
 * poison safely in the DLQ, routed to the rejects queue, or deferred (left for another
 * worker or handed back at a stop: not a failure, but shown). Retries and errors exit 1.
 */
function verdict(result: ProcessSqsResult, rejectsQueue: string | undefined, ctx: CommandContext): void {
  const m = result.metrics;
  if ((m.MessagesDeferred ?? 0) > 0) {
    const why = 'key leased by another worker or poller, FIFO group held, or received at the stop';
    ctx.out.note(`${m.MessagesDeferred} deferred: still on the queue (${why})`);
  }
  if ((m.MessagesToRejects ?? 0) > 0) {
    const where = rejectsQueue ?? 'the rejects queue';
    ctx.out.note(`${m.MessagesToRejects} messages went to ${where}: a task failed (process-sqs --rejects retries them)`);
  }
  const errors = ['SQSDeleteError', 'SQSDLQSendError', 'DynamoDBCheckError', 'DynamoDBSaveError'].reduce((n, k) => n + (m[k] ?? 0), 0);
  const retried = m.MessagesRetried ?? 0;
  if (retried + errors > 0) {
    const why = result.retryReason ? ` (first: ${result.retryReason})` : '';
    throw new PartialFailureError(`${retried} messages were retried and ${errors} hit an error: not fully processed${why}`, {
      hint: 'they are still on the queue and will be retried; --log-format text shows each one',
    });
  }
}
