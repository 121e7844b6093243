import { describe, expect, it } from 'vitest';
import { resolveProcessConfig } from '../../src/features/process/config.js';
import { PROCESS_DEFAULTS } from '../../src/config.js';
import { UsageError } from '../../src/core/errors.js';

describe('resolveProcessConfig', () => {
  it('takes the defaults from src/config.ts, per runtime', () => {
    const cli = resolveProcessConfig({});
    expect(cli).toMatchObject({ queue: 'sqsops-events', concurrency: 4, waitSeconds: 20, key: PROCESS_DEFAULTS.key, ttlDays: 7 });
    expect(cli.ledgerTable).toBe('sqsops-ledger');
    expect(cli).toMatchObject({ logFormat: 'off', metrics: 'table', schema: { kind: 'templates' } });
    expect(resolveProcessConfig({}, {}, 'lambda')).toMatchObject({ logFormat: 'json', metrics: 'emf' });
  });

  it.each([
    ['key', { SQSOPS_KEY: 'orderId' }, { key: 'id' }, 'key', 'orderId', 'id'],
    ['ttl', { SQSOPS_TTL_DAYS: '3' }, { ttlDays: '9' }, 'ttlDays', 3, 9],
    ['log format', { SQSOPS_LOG_FORMAT: 'text' }, { logFormat: 'json' }, 'logFormat', 'text', 'json'],
    ['dlq', { SQSOPS_DLQ_URL: 'env-dlq' }, { dlq: 'flag-dlq' }, 'dlq', 'env-dlq', 'flag-dlq'],
  ] as const)('puts a flag over the environment over the default: %s', (_name, env, flags, field, fromEnv, fromFlag) => {
    expect(resolveProcessConfig(env)[field]).toBe(fromEnv);
    expect(resolveProcessConfig(env, flags)[field]).toBe(fromFlag);
  });

  it('reads sinks, handlers and the s3 sink from the environment as the Lambda did', () => {
    const env: NodeJS.ProcessEnv = { SQSOPS_SINKS: 's3, mongodb', SQSOPS_HANDLERS: 'a.mjs,tasks/', SQSOPS_S3_MODE: 'batch' };
    env.SQSOPS_MONGODB_URL = 'mongodb://h';
    const c = resolveProcessConfig(env, {}, 'lambda');
    expect(c.sinks).toMatchObject({ sinks: ['s3', 'mongodb'] });
    expect(c.tasks).toEqual({ handlers: ['a.mjs', 'tasks/'], poolSize: 8, rejects: false });
    expect(c.sinks.mongodb).toMatchObject({ url: 'mongodb://h' });
    expect(c.sinks.s3).toEqual({ bucket: 'sqsops-data', mode: 'batch', prefix: 'messages' });
  });

  it('says which schema: a file, none, or the template schemas', () => {
    expect(resolveProcessConfig({}, { schema: 'o.json' }).schema).toEqual({ kind: 'file', path: 'o.json' });
    expect(resolveProcessConfig({ SQSOPS_SCHEMA: 'o.json' }, { schema: false }).schema).toEqual({ kind: 'none' });
    expect(resolveProcessConfig({ SQSOPS_SCHEMA: 'none' }).schema).toEqual({ kind: 'none' });
  });

  it('serves live metrics only when a port is given, on loopback unless told, with EMF every minute', () => {
    expect(resolveProcessConfig({})).toMatchObject({ metricsHost: '127.0.0.1', metricsInterval: 60 });
    expect(resolveProcessConfig({}).metricsPort).toBeUndefined();
    expect(resolveProcessConfig({ SQSOPS_METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    const c = resolveProcessConfig({ SQSOPS_METRICS_PORT: '9464' }, { metricsPort: '0', metricsHost: '0.0.0.0', metricsInterval: '5' });
    expect(c).toMatchObject({ metricsPort: 0, metricsHost: '0.0.0.0', metricsInterval: 5 });
    expect(() => resolveProcessConfig({ SQSOPS_METRICS_PORT: '65536' })).toThrow(/^SQSOPS_METRICS_PORT must be/);
    expect(() => resolveProcessConfig({}, { metricsInterval: '0' })).toThrow(/^--metrics-interval must be/);
  });

  it('takes "none" as no ledger from the environment only', () => {
    expect(resolveProcessConfig({ SQSOPS_LEDGER_TABLE: 'none' }).ledgerTable).toBe(false);
    expect(resolveProcessConfig({}, { ledger: false }).ledgerTable).toBe(false);
  });

  it('names the variable when a value from the environment is wrong', () => {
    expect(() => resolveProcessConfig({ SQSOPS_METRICS: 'xml' })).toThrow(/^SQSOPS_METRICS must be one of table, emf, none, not "xml"$/);
    expect(() => resolveProcessConfig({}, { metrics: 'xml' })).toThrow(/^--metrics must be one of/);
    expect(() => resolveProcessConfig({}, { rejects: true })).toThrow(UsageError);
  });

  it('takes --handler and --handlers as two spellings of one list of your code', () => {
    const c = resolveProcessConfig({ SQSOPS_HANDLERS: 'env.mjs' }, { handlers: 'dir', handler: ['a.mjs', 'b.mjs'], poolSize: '3' });
    expect(c.tasks).toEqual({ handlers: ['dir', 'a.mjs', 'b.mjs'], poolSize: 3, rejects: false });
    expect(resolveProcessConfig({ SQSOPS_HANDLERS: 'env.mjs' }).tasks?.handlers).toEqual(['env.mjs']);
    expect(() => resolveProcessConfig({}, { rejectsQueue: 'r', handler: [] })).toThrow(/go with your code/);
  });

  it('parks failures only when a rejects queue is asked for: named, bare (<queue>-rejects), or from the environment', () => {
    const h = { handler: ['a.mjs'] };
    expect(resolveProcessConfig({}, h).tasks?.rejectsQueue).toBeUndefined();
    expect(resolveProcessConfig({}, { ...h, queue: 'orders', rejectsQueue: true }).tasks?.rejectsQueue).toBe('orders-rejects');
    expect(resolveProcessConfig({}, { ...h, rejectsQueue: 'parked' }).tasks?.rejectsQueue).toBe('parked');
    expect(resolveProcessConfig({ SQSOPS_REJECTS_QUEUE: 'env-parked' }, h).tasks?.rejectsQueue).toBe('env-parked');
    // Consuming the rejects queue parks nothing.
    expect(resolveProcessConfig({}, { ...h, rejects: true, rejectsQueue: true }).tasks).toMatchObject({ rejects: true });
    expect(resolveProcessConfig({}, { ...h, rejects: true, rejectsQueue: true }).tasks?.rejectsQueue).toBeUndefined();
  });

  it('consumes the rejects queue --rejects is pointed at: --queue, a named --rejects-queue, the variable, or <queue>-rejects', () => {
    const h = { handler: ['a.mjs'], rejects: true };
    expect(resolveProcessConfig({}, h).queue).toBe('sqsops-events-rejects');
    expect(resolveProcessConfig({}, { ...h, rejectsQueue: 'parked' }).queue).toBe('parked');
    expect(resolveProcessConfig({}, { ...h, rejectsQueue: true }).queue).toBe('sqsops-events-rejects');
    expect(resolveProcessConfig({ SQSOPS_REJECTS_QUEUE: 'env-parked' }, h).queue).toBe('env-parked');
    expect(resolveProcessConfig({}, { ...h, queue: 'orders-rejects' }).queue).toBe('orders-rejects');
    expect(resolveProcessConfig({}, { ...h, queue: 'parked', rejectsQueue: 'parked' }).queue).toBe('parked');
    expect(() => resolveProcessConfig({}, { ...h, queue: 'a', rejectsQueue: 'b' })).toThrow(
      '--rejects consumes one queue: --queue a or --rejects-queue b, not both',
    );
    // Without --rejects, --queue is the requests queue, whatever the rejects queue is called.
    expect(resolveProcessConfig({}, { handler: ['a.mjs'], queue: 'orders', rejectsQueue: 'parked' }).queue).toBe('orders');
  });
});
