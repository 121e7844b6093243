/**
 * The sqsops library: everything the CLI does, callable from code. Functions take
 * clients (from `connect`) and options, report progress through callbacks, and
 * never print.
 */
export { connect, type ConnectOptions } from './aws/connect.js';
export { createClients, describeTarget, type AwsClients, type ResolvedTarget } from './aws/clients.js';
export { chooseTarget, type TargetChoice, type TargetFlags } from './aws/target.js';
export { SqsQueues, type QueueRef, type SendEntry, type BatchOutcome, type EntryFailure } from './aws/queue.js';
export { Ledger, type LedgerItem, type LedgerStatus } from './aws/ledger.js';
export { ObjectStore } from './aws/objects.js';
export { produce, type ProduceOptions, type ProduceResult, type ProduceInput, type FailedSend } from './ops/produce.js';
export { consume, type ConsumeOptions, type ConsumeResult, type ConsumedMessage } from './ops/consume.js';
export { showLedger, clearLedger, type ShowOptions, type ShowResult, type ClearOptions } from './ops/ledgerOps.js';
export { setupTopology, type SetupStep, type SetupOptions } from './ops/setup.js';
export { openQueue, openLedger } from './ops/resources.js';
export { redriveDlq, type RedriveOptions, type RedriveResult, type RedriveProgress, type RedriveFailure, type RedrivePreview } from './ops/redrive.js';
export { compileFilter, parseFilterExpression, type MessageFilter } from './core/redriveFilter.js';
export { queueStats, type QueueStats, type StatsOptions } from './ops/stats.js';
export { parseTopology, dlqNameFor, type TopologyConfig, type QueueConfig } from './core/topology.js';
export { planBatches, messageBytes, MAX_BATCH_ENTRIES, MAX_REQUEST_BYTES } from './core/batching.js';
export { compileKey, type KeyFn } from './core/keys.js';
export { parseBodies } from './core/input.js';
export { TEMPLATES, type EventTemplate } from './core/templates/index.js';
export * from './core/errors.js';
export { startLocalAws, type LocalAws, type LocalAwsOptions } from './local/server.js';
export { ensureLocalAws, findLocalAws, stopLocalAws, resetLocalAws, type ServerFile } from './local/manager.js';
export { sqsopsHome } from './local/paths.js';
export { ENV_VARS, DEFAULTS } from './config.js';
export { VERSION } from './version.js';
export { processSqs, type ProcessSqsOptions, type ProcessSqsResult } from './pipeline/runner.js';
export { processBatch } from './pipeline/processBatch.js';
export type { InboundMessage, Outcome, PipelineConfig } from './pipeline/types.js';
export { createActionLog, type ActionLog, type LogFormat } from './pipeline/log.js';
export { Metrics, emfLine, COUNTERS } from './core/metrics.js';
export { decodeBody } from './core/envelope.js';
export { buildSinks, SINK_NAMES, type SinkSpec, type SinkName } from './sinks/index.js';
export { createS3Sink, type S3SinkOptions } from './sinks/s3.js';
export { loadHandlerSink, sinkFromHandler, type MessageHandler } from './sinks/handler.js';
export type { Sink, SinkMessage, SinkResult, SinkFailure } from './sinks/types.js';
export * from './download/index.js';
export { defineTask, type Task, type TaskContext } from './tasks/types.js';
export { loadTasks, type TaskSet, type LoadedTask } from './tasks/load.js';
export { createTaskSink, type TaskSinkOptions, FAILED_TASKS_ATTRIBUTE, ERRORS_ATTRIBUTE } from './tasks/runner.js';
export { webhookTask, webhookText, WEBHOOK_ENV } from './tasks/webhook.js';
export { createMongoSink, type MongoSinkOptions } from './sinks/mongodb.js';
export { createMssqlSink, type MssqlSinkOptions } from './sinks/mssql.js';
