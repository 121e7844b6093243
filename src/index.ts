/**
 * The sqsops library: the operations the CLI runs, their option and result types, and
 * the error classes. Operations take clients (from `connect`) and options, report
 * progress through callbacks, and never print. Helpers for tests and scripts live on
 * subpaths so this list stays the table of contents: `sqsops/testing` (the embedded
 * local AWS), `sqsops/core` (pure rules: keys, batching, records, templates), `sqsops/lambda`.
 */
// First: refuse an old Node with one clear line before anything else can fail.
import './nodeVersion.js';
export { connect, type ConnectOptions } from './runtime/connect.js';
export type { AwsClients, ResolvedTarget } from './aws/clients.js';
export type { TargetFlags } from './aws/target.js';
export {
  produce,
  type ProduceOptions,
  type ProduceResult,
  type ProduceInput,
  type FailedSend,
  type UnconfirmedSend,
  type LeftPayload,
} from './features/produce/produce.js';
export { consume, type ConsumeOptions, type ConsumeResult, type ConsumedMessage } from './features/consume/consume.js';
export { processSqs, type ProcessSqsOptions, type ProcessSqsResult } from './features/process/runner.js';
export { showLedger, clearLedger, type ShowOptions, type ShowResult, type ClearOptions } from './features/ledger/ledgerOps.js';
export type { LedgerItem, LedgerStatus } from './aws/ledger.js';
export { setupTopology, type SetupStep, type SetupOptions } from './pipeline/converge.js';
export type { TopologyConfig, QueueConfig } from './core/topology.js';
export {
  redriveDlq,
  type RedriveOptions,
  type RedriveResult,
  type RedriveProgress,
  type RedriveFailure,
  type RedrivePreview,
} from './features/move/redrive.js';
export { moveMessages, type MoveOptions, type MoveResult } from './features/move/move.js';
export { purgeQueue, type PurgeOptions, type PurgeResult } from './features/purge/purge.js';
export { queueStats, type QueueStats, type StatsOptions } from './features/stats/stats.js';
export { runLoad, type LoadOptions, type LoadResult, type LoadSample } from './features/load/load.js';
export { renderReport as renderLoadReport } from './features/load/report.js';
export { downloadUrls, type DownloadOptions } from './features/download/downloader.js';
export { readDownloadLists, type ReadListsResult } from './features/download/sources.js';
export type { DownloadReport, DownloadItemResult, DownloadProgress, DownloadStatus } from './features/download/report.js';

// What processSqs's options are built from: sinks, tasks, the action log, the metrics.
export { buildSinks, SINK_NAMES, type SinkSpec, type SinkName } from './features/process/sinks/index.js';
export type { Sink, SinkMessage, SinkResult, SinkFailure } from './pipeline/sink.js';
export { createS3Sink, type S3SinkOptions } from './features/process/sinks/s3.js';
export { createMongoSink, type MongoSinkOptions } from './features/process/sinks/mongodb.js';
export { createMssqlSink, type MssqlSinkOptions } from './features/process/sinks/mssql.js';
export { defineTask, type Task, type TaskContext } from './features/tasks/types.js';
// The one loader of your code (--handler and --handlers): tasks, and custom sinks (write(batch)).
export { loadTasks, type TaskSet, type LoadedTask, type LoadedSink } from './features/tasks/modules.js';
export { createTaskSink, type TaskSinkOptions } from './features/tasks/taskSink.js';
export { webhookTask } from './features/tasks/webhook.js';
export { createActionLog, type ActionLog, type LogFormat } from './features/process/log.js';
export { Metrics } from './core/metrics.js';
// Tracing: the port processSqs (observer) and produce (tracing) take, and its OpenTelemetry adapter (the SDK loads on start).
export { startOtelTracing, type OtelOptions } from './runtime/otel.js';
export type { Tracing, PipelineObserver, SettledMessage, StageMark } from './core/tracing.js';

export * from './core/errors.js';
export { DownloadError, type DownloadErrorCode } from './features/download/errors.js';
export { PayloadMissingError } from './core/payloadPointer.js';
export { VERSION } from './version.js';
