/**
 * `sqsops/core`: the pure rules the operations use, for code that builds or checks
 * messages the way sqsops does (keys, SQS batch limits, export records, payload
 * pointers, redrive filters, topology files, event templates). No I/O, no AWS SDK.
 */
export { compileKey, type KeyFn } from './core/keys.js';
export { planBatches, messageBytes, MAX_BATCH_ENTRIES, MAX_REQUEST_BYTES } from './core/batching.js';
export { parseBodies } from './core/input.js';
export { decodeBody } from './core/envelope.js';
export { toRecord, fromRecord, parseRecords, RECORD_FORMAT, type MessageRecord } from './core/messageRecord.js';
export { readPointer, pointerBody, POINTER_CLASS, SIZE_ATTRIBUTE, type PayloadPointer } from './core/payloadPointer.js';
export { compileFilter, parseFilterExpression, type MessageFilter } from './core/redriveFilter.js';
export { parseTopology, dlqNameFor } from './core/topology.js';
export { TEMPLATES, type EventTemplate } from './core/templates/index.js';
export { emfLine, COUNTERS } from './core/metrics.js';
export { redactUrl } from './core/redact.js';
export { parseRate, parseDuration, type RateSchedule } from './core/rateSchedule.js';
export { ENV_VARS, DEFAULTS } from './config.js';
