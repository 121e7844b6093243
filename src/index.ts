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
} from './features/move/redrive.js';
export { moveMessages, type MoveOptions, type MoveResult } from './features/move/move.js';
export type { MoveFailure, MovePreview, MoveProgress } from './features/move/types.js';
export { purgeQueue, type PurgeOptions, type PurgeResult } from './features/purge/purge.js';
export { queueStats, type QueueStats, type StatsOptions } from './features/stats/stats.js';
export { runLoad, type LoadOptions, type LoadResult, type LoadSample } from './features/load/load.js';
export { downloadUrls, type DownloadOptions } from './features/download/downloader.js';
export { readDownloadLists, type ReadListsResult } from './features/download/sources.js';
export type { DownloadReport, DownloadItemResult, DownloadProgress, DownloadStatus } from './features/download/report.js';

// What processSqs's sinks are built from: the built-in sinks, your own Sink, or your tasks as one sink.
// The action log and the metrics are types only: pass a function as log, read the Metrics onProgress hands you.
export type { Sink, SinkMessage, SinkResult, SinkFailure } from './pipeline/sink.js';
export { createS3Sink, type S3SinkOptions } from './features/process/sinks/s3.js';
export { createMongoSink, type MongoSinkOptions } from './features/process/sinks/mongodb.js';
export { createMssqlSink, type MssqlSinkOptions } from './features/process/sinks/mssql.js';
export { defineTask, type Task, type TaskContext } from './features/tasks/types.js';
// The one loader of your code (--handler and --handlers), and its tasks run as one sink.
export { loadTasks, type TaskSet, type LoadedTask, type LoadedSink } from './features/tasks/modules.js';
export { createTaskSink, type TaskSinkOptions } from './features/tasks/taskSink.js';
export { webhookTask } from './features/tasks/webhook.js';
export type { ActionLog } from './features/process/log.js';
export type { Metrics } from './core/metrics.js';
export type { Notify } from './pipeline/resources.js';
export type { ProcessObserver, RunState } from './features/process/observer.js';
// Tracing: the port processSqs (stages) and produce (tracing) take, and its OpenTelemetry adapter (the SDK loads on start).
export { startOtelTracing, type OtelOptions } from './runtime/otel.js';
export type { Tracing, PipelineObserver, SettledMessage, StageMark } from './core/tracing.js';

// The errors operations throw; each SqsopsError carries a hint and an exit code (named by ExitCode).
export {
  SqsopsError,
  UsageError,
  QueueNotFoundError,
  PurgeInProgressError,
  ResourceNotFoundError,
  AccessError,
  EndpointError,
  LocalAwsError,
  AbortedError,
  PartialFailureError,
  InterruptedError,
  ExportWriteError,
  ExitCode,
  partialResultOf,
  type SqsopsErrorOptions,
  type StopSignal,
} from './core/errors.js';
export { DownloadError, type DownloadErrorCode, type DownloadErrorOptions } from './features/download/errors.js';
export { PayloadMissingError } from './core/payloadPointer.js';
