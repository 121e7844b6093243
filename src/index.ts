/**
 * The sqsops library: everything the CLI does, callable from code. Functions take
 * clients (from `connect`) and options, report progress through callbacks, and
 * never print.
 */
// First: refuse an old Node with one clear line before anything else can fail.
import './nodeVersion.js';
export { connect, type ConnectOptions } from './aws/connect.js';
export { createClients, describeTarget, type AwsClients, type ResolvedTarget } from './aws/clients.js';
export { chooseTarget, type TargetChoice, type TargetFlags } from './aws/target.js';
export { SqsQueues, type QueueRef, type SendEntry, type BatchOutcome, type EntryFailure } from './aws/queue.js';
export { Ledger, type LedgerItem, type LedgerStatus } from './aws/ledger.js';
export { ObjectStore } from './aws/objects.js';
export { produce, type ProduceOptions, type ProduceResult, type ProduceInput, type FailedSend } from './features/produce/produce.js';
export { consume, type ConsumeOptions, type ConsumeResult, type ConsumedMessage } from './features/consume/consume.js';
export { showLedger, clearLedger, type ShowOptions, type ShowResult, type ClearOptions } from './features/ledger/ledgerOps.js';
export { setupTopology, type SetupStep, type SetupOptions } from './features/setup/setup.js';
export { openQueue, openLedger } from './features/setup/resources.js';
export { redriveDlq, type RedriveOptions, type RedriveResult, type RedriveProgress, type RedriveFailure, type RedrivePreview } from './features/move/redrive.js';
export { moveMessages, type MoveOptions, type MoveResult } from './features/move/move.js';
export { purgeQueue, type PurgeOptions, type PurgeResult } from './features/purge/purge.js';
export { toRecord, fromRecord, parseRecords, RECORD_FORMAT, type MessageRecord } from './core/messageRecord.js';
export { readPointer, pointerBody, POINTER_CLASS, SIZE_ATTRIBUTE, PayloadMissingError, type PayloadPointer } from './core/payloadPointer.js';
export { compileFilter, parseFilterExpression, type MessageFilter } from './core/redriveFilter.js';
export { queueStats, type QueueStats, type StatsOptions } from './features/stats/stats.js';
export { parseTopology, dlqNameFor, type TopologyConfig, type QueueConfig } from './core/topology.js';
export { planBatches, messageBytes, MAX_BATCH_ENTRIES, MAX_REQUEST_BYTES } from './core/batching.js';
export { compileKey, type KeyFn } from './core/keys.js';
export { parseBodies } from './core/input.js';
export { TEMPLATES, type EventTemplate } from './core/templates/index.js';
export * from './core/errors.js';
export { startLocalAws, type LocalAws, type LocalAwsOptions } from './local/server.js';
export { ensureLocalAws, findLocalAws, stopLocalAws, resetLocalAws, localCredentials, type ServerFile } from './local/manager.js';
export type { LocalCredentials } from './local/credentials.js';
export { sqsopsHome } from './local/paths.js';
export { ENV_VARS, DEFAULTS } from './config.js';
export { VERSION } from './version.js';
export { processSqs, type ProcessSqsOptions, type ProcessSqsResult } from './features/process/runner.js';
export { runLoad, type LoadOptions, type LoadResult, type LoadSample } from './features/load/load.js';
export { parseRate, parseDuration, type RateSchedule } from './features/load/schedule.js';
export { renderReport as renderLoadReport } from './features/load/report.js';
export { processBatch } from './features/process/processBatch.js';
export type { InboundMessage, Outcome, PipelineConfig } from './features/process/types.js';
export { createActionLog, type ActionLog, type LogFormat } from './features/process/log.js';
export { Metrics, emfLine, COUNTERS } from './core/metrics.js';
export { decodeBody } from './core/envelope.js';
export { buildSinks, SINK_NAMES, type SinkSpec, type SinkName } from './features/process/sinks/index.js';
export { createS3Sink, type S3SinkOptions } from './features/process/sinks/s3.js';
export { loadHandlerSink, sinkFromHandler, type MessageHandler } from './features/process/sinks/handler.js';
export type { Sink, SinkMessage, SinkResult, SinkFailure } from './features/process/sinks/types.js';
export * from './features/download/index.js';
export { defineTask, type Task, type TaskContext } from './features/tasks/types.js';
export { loadTasks, type TaskSet, type LoadedTask } from './features/tasks/load.js';
export { createTaskSink, type TaskSinkOptions, FAILED_TASKS_ATTRIBUTE, ERRORS_ATTRIBUTE } from './features/tasks/runner.js';
export { webhookTask, webhookText, WEBHOOK_ENV } from './features/tasks/webhook.js';
export { createMongoSink, type MongoSinkOptions } from './features/process/sinks/mongodb.js';
export { createMssqlSink, type MssqlSinkOptions } from './features/process/sinks/mssql.js';
