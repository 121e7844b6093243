import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../helpers/program.js';

describe('the load command line', () => {
  it.each([
    [['load'], { rate: '100', workers: 2, drainTimeout: '60s', interval: '1s', concurrency: 4, sendConcurrency: 16, ledger: true }],
    [['load', '--rate', '100..2000/60s', '--steps', '5', '--duration', '5m'], { rate: '100..2000/60s', steps: 5, duration: '5m' }],
    [
      ['load', '--workers', '3', '--workers-as-processes', '--no-ledger', '--sink', 's3', '--key', 'orderId'],
      { workers: 3, workersAsProcesses: true, ledger: false, sink: ['s3'], key: 'orderId' },
    ],
    [
      ['load', '--pause-workers-at', '20s', '--resume-at', '40s', '--max-age', '30s', '--report', 'x.html'],
      { pauseWorkersAt: '20s', resumeAt: '40s', maxAge: '30s', report: 'x.html' },
    ],
  ] as const)('parses %j', async (argv, options) => {
    const r = await parseCommandLine([...argv]);
    expect(r.name).toBe('load');
    expect(r.options).toMatchObject(options);
  });

  it('rejects an unknown flag with a clear message', async () => {
    const r = await parseCommandLine(['load', '--rps', '10']);
    expect(r.name).toBeUndefined();
    expect(r.error).toMatch(/unknown option '--rps'/);
  });
});
