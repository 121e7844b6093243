/**
 * The main entry's names, pinned: the operations, the constructors their options are built
 * from, and the error classes. A new name here is a decision (and a line in docs/library.md);
 * an internal that leaks onto the entry fails this test.
 */
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';

const OPERATIONS = [
  'clearLedger',
  'connect',
  'consume',
  'downloadUrls',
  'moveMessages',
  'processSqs',
  'produce',
  'purgeQueue',
  'queueStats',
  'readDownloadLists',
  'redriveDlq',
  'runLoad',
  'setupTopology',
  'showLedger',
];
const BUILDERS = [
  'createMongoSink',
  'createMssqlSink',
  'createS3Sink',
  'createTaskSink',
  'defineTask',
  'loadTasks',
  'startOtelTracing',
  'webhookTask',
];
const ERRORS = [
  'AbortedError',
  'AccessError',
  'DownloadError',
  'EndpointError',
  'ExportWriteError',
  'InterruptedError',
  'LocalAwsError',
  'PartialFailureError',
  'PayloadMissingError',
  'PurgeInProgressError',
  'QueueNotFoundError',
  'ResourceNotFoundError',
  'SqsopsError',
  'UsageError',
];
// What an error carries: the exit codes by name, and the summary a failed run did before it stopped.
const ERROR_HELPERS = ['ExitCode', 'partialResultOf'];

describe('the main entry', () => {
  it('exports exactly the operations, their builders and the error classes', () => {
    const expected = [...OPERATIONS, ...BUILDERS, ...ERRORS, ...ERROR_HELPERS].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
  });

  it('exports functions, and error classes that are Errors', () => {
    const entry = api as unknown as Record<string, unknown>;
    for (const name of [...OPERATIONS, ...BUILDERS, 'partialResultOf']) expect(typeof entry[name], name).toBe('function');
    for (const name of ERRORS) {
      const error = entry[name] as { prototype: unknown };
      expect(error.prototype instanceof Error, name).toBe(true);
    }
    expect(Object.values(api.ExitCode).every((code) => Number.isInteger(code))).toBe(true);
  });
});
