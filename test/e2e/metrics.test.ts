/**
 * process-sqs's live endpoint as a process: /metrics read by a real Prometheus parser
 * (Python's prometheus_client) during a run, its counters the run's own summary; /readyz
 * turning 503 at SIGTERM while in-flight work is still finishing; bad ports in one line.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTERS } from '../../src/core/metrics.js';
import { snakeCase } from '../../src/features/process/prometheus.js';
import { newHome, parseJson, ROOT, type CliHome, type ProcessSqsJson } from '../helpers/cli.js';

let cli: CliHome;
beforeAll(() => {
  cli = newHome();
});
afterAll(async () => cli.cleanup());

const slow = join(ROOT, 'test/fixtures/slow.mjs');
const python = spawnSync('python3', ['-c', 'import prometheus_client'], { encoding: 'utf8' });
const parser = python.status === 0;
if (!parser)
  console.warn(`skipping the Prometheus parser test: python3 cannot import prometheus_client (${python.stderr?.trim() || python.error})`);

type Child = ReturnType<CliHome['spawn']>;
type Sample = { name: string; labels: Record<string, string>; value: number };

/** Starts process-sqs with a metrics port of the system's choosing; resolves with its URL from the note. */
async function startWorker(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: Child; url: string; out: () => string }> {
  const child = cli.spawn(['process-sqs', '--metrics-port', '0', '--json', ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /^metrics: (http:\/\/[\d.]+:\d+)\/metrics/m.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before serving metrics: ${stderr}`)));
  });
  return { child, url, out: () => stdout };
}

/** The exposition parsed by prometheus_client's own parser: every sample. */
function parse(text: string): Sample[] {
  const script = [
    'import json, sys',
    'from prometheus_client.parser import text_string_to_metric_families',
    'out = [{"name": s.name, "labels": s.labels, "value": s.value if s.value == s.value else "NaN"}',
    '       for f in text_string_to_metric_families(sys.stdin.read()) for s in f.samples]',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script], { input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`prometheus_client could not parse /metrics: ${r.stderr}`);
  return (JSON.parse(r.stdout) as (Omit<Sample, 'value'> & { value: number | 'NaN' })[]).map((s) => ({
    ...s,
    value: s.value === 'NaN' ? Number.NaN : s.value,
  }));
}

const value = (samples: Sample[], name: string) => samples.find((s) => s.name === name)?.value;

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const exited = (child: Child) =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise<number | null>((r) => child.on('exit', r));

describe('process-sqs live metrics', () => {
  it.skipIf(!parser)("serves Prometheus text a real parser reads, its counters the run's summary", async () => {
    expect((await cli.run(['produce', '--queue', 'live-metrics', '--count', '25'])).code).toBe(0);
    const { child, url, out } = await startWorker(['--queue', 'live-metrics', '--wait', '1']);
    const scrape = async () => parse(await (await fetch(`${url}/metrics`)).text());
    const samples = await until('all 25 deleted', scrape, (s) => value(s, 'sqsops_messages_deleted_total') === 25);
    expect(samples.find((s) => s.name === 'sqsops_messages_received_total')?.labels).toEqual({ queue: 'live-metrics' });
    expect(value(samples, 'sqsops_processing_seconds_count')).toBe(25);
    expect(value(samples, 'sqsops_in_flight_messages')).toBe(0);
    expect(value(samples, 'sqsops_leases')).toBe(0);
    // Polled at start, while the 25 were waiting: the local AWS's CloudWatch gives a real age.
    expect(value(samples, 'sqsops_queue_oldest_message_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(samples, 'sqsops_queue_visible_messages')).toBeGreaterThanOrEqual(0);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    const summary = parseJson<ProcessSqsJson>(out());
    expect(summary.identityHolds).toBe(true);
    for (const name of COUNTERS) expect([name, value(samples, `sqsops_${snakeCase(name)}_total`)]).toEqual([name, summary.metrics[name]]);
  });

  it('answers /readyz 503 from SIGTERM on, while in-flight work is still finishing', async () => {
    expect((await cli.run(['produce', '--queue', 'live-drain', '--count', '3'])).code).toBe(0);
    const { child, url, out } = await startWorker(['--queue', 'live-drain', '--wait', '1', '--handler', slow, '--concurrency', '1'], {
      SLOW_HANDLER_MS: '4000',
    });
    const inFlight = async () =>
      Number(/^sqsops_in_flight_messages\{[^}]*\} (\S+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1]);
    await until('a batch in flight', inFlight, (n) => n > 0);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    child.kill('SIGTERM');
    const ready = await until(
      'readyz 503',
      async () => (await fetch(`${url}/readyz`)).status,
      (s) => s === 503,
      2_000,
    );
    expect(ready).toBe(503);
    // Still draining: alive, the batch not yet acknowledged.
    expect(child.exitCode).toBeNull();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await inFlight()).toBeGreaterThan(0);
    expect(await exited(child)).toBe(0);
    expect(parseJson<ProcessSqsJson>(out()).metrics.MessagesSaved).toBe(3);
  });

  it('writes an EMF line every --metrics-interval on a long run, the lines adding up to the run', async () => {
    expect((await cli.run(['produce', '--queue', 'live-emf', '--count', '12'])).code).toBe(0);
    const child = cli.spawn(['process-sqs', '--queue', 'live-emf', '--wait', '1', '--metrics', 'emf', '--metrics-interval', '1']);
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    await until(
      'three EMF lines',
      async () => stdout.split('\n').filter(Boolean).length,
      (n) => n >= 3,
      15_000,
    );
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines.reduce((n, l) => n + l.MessagesReceived!, 0)).toBe(12);
    expect(lines.reduce((n, l) => n + l.MessagesDeleted!, 0)).toBe(12);
  });

  it('listens on 127.0.0.1 by default, and where --metrics-host says', async () => {
    expect((await cli.run(['produce', '--queue', 'live-host', '--count', '1'])).code).toBe(0);
    for (const [extra, host] of [
      [[], '127.0.0.1'],
      [['--metrics-host', '127.0.0.2'], '127.0.0.2'],
    ] as const) {
      const { child, url } = await startWorker(['--queue', 'live-host', '--wait', '1', ...extra]);
      try {
        expect(new URL(url).hostname).toBe(host);
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
      } finally {
        child.kill('SIGTERM');
        await exited(child);
      }
    }
  });

  it('refuses a port out of range, and one in use, with one line', async () => {
    const bad = await cli.run(['process-sqs', '--metrics-port', '70000', '--drain']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --metrics-port must be .*70000/m);
    const viaEnv = await cli.run(['process-sqs', '--drain'], { env: { SQSOPS_METRICS_PORT: 'x' } });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toMatch(/^error: SQSOPS_METRICS_PORT /m);
    expect((await cli.run(['produce', '--queue', 'live-busy', '--count', '1'])).code).toBe(0);
    const { child, url } = await startWorker(['--queue', 'live-busy', '--wait', '1']);
    try {
      const port = new URL(url).port;
      const busy = await cli.run(['process-sqs', '--queue', 'live-busy', '--drain', '--metrics-port', port]);
      expect(busy.code).toBe(2);
      expect(busy.stderr).toMatch(new RegExp(`^error: --metrics-port ${port} on 127\\.0\\.0\\.1 is already in use$`, 'm'));
      expect(busy.stderr).not.toMatch(/\n\s+at /);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });
});
