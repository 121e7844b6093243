/**
 * A real trace backend for the tracing test: Jaeger v1.75.0's all-in-one (`cmd/jaeger`, the
 * collector-based one, configured by YAML) with in-memory storage, its OTLP/HTTP receiver
 * and its query API on free loopback ports. `.ci/run` builds the binary into GOPATH/bin;
 * SQSOPS_JAEGER_BIN names another one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ferretdb.js';

export function jaegerBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.SQSOPS_JAEGER_BIN, join(env.GOPATH?.split(':')[0] || join(homedir(), 'go'), 'bin', 'jaeger')];
  return candidates.find((c): c is string => Boolean(c) && existsSync(c!));
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; traceID: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags: { key: string; type: string; value: unknown }[];
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

export interface Jaeger {
  /** Where OTLP/HTTP exporters send (OTEL_EXPORTER_OTLP_ENDPOINT). */
  otlpEndpoint: string;
  traces(service: string): Promise<JaegerTrace[]>;
  stop(): Promise<void>;
}

function config(otlp: number, http: number, grpc: number): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      mem:
        memory:
          max_traces: 10000
  jaeger_query:
    storage:
      traces: mem
    http:
      endpoint: 127.0.0.1:${http}
    grpc:
      endpoint: 127.0.0.1:${grpc}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlp}
exporters:
  jaeger_storage_exporter:
    trace_storage: mem
`;
}

export async function startJaeger(binary: string): Promise<Jaeger> {
  const dir = mkdtempSync(join(tmpdir(), 'sqsops-jaeger-'));
  const [otlp, http, grpc] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(join(dir, 'config.yaml'), config(otlp, http, grpc));
  const child: ChildProcess = spawn(binary, ['--config', join(dir, 'config.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const api = `http://127.0.0.1:${http}`;
  const ready = async () => {
    try {
      return (
        (await fetch(`${api}/api/services`)).ok && (await fetch(`http://127.0.0.1:${otlp}/v1/traces`, { method: 'POST' })).status < 500
      );
    } catch {
      return false;
    }
  };
  // Bounded by attempts: 300 tries 100 ms apart.
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`jaeger exited with ${child.exitCode}: ${output.slice(-2000)}`);
    if (await ready()) break;
    if (i === 300) throw new Error(`jaeger did not answer on ${api}: ${output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    otlpEndpoint: `http://127.0.0.1:${otlp}`,
    async traces(service) {
      const res = await fetch(`${api}/api/traces?service=${encodeURIComponent(service)}&limit=100&lookback=1h`);
      if (!res.ok) return [];
      return ((await res.json()) as { data: JaegerTrace[] | null }).data ?? [];
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A trace as an ASCII waterfall: one line per span, indented under its parent, bars on a shared time axis. */
export function waterfall(trace: JaegerTrace, width = 32): string {
  const start = Math.min(...trace.spans.map((s) => s.startTime));
  const end = Math.max(...trace.spans.map((s) => s.startTime + s.duration));
  const scale = width / Math.max(1, end - start);
  const children = new Map<string, JaegerSpan[]>();
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const roots: JaegerSpan[] = [];
  for (const s of [...trace.spans].sort((a, b) => a.startTime - b.startTime)) {
    const parent = s.references.find((r) => r.refType === 'CHILD_OF' && ids.has(r.spanID))?.spanID;
    if (parent) children.set(parent, [...(children.get(parent) ?? []), s]);
    else roots.push(s);
  }
  const lines: string[] = [`${'span'.padEnd(26)} ${'service'.padEnd(15)} ${'start'.padStart(12)} ${'duration'.padStart(10)}`];
  const walk = (s: JaegerSpan, depth: number) => {
    const service = trace.processes[s.processID]?.serviceName ?? '?';
    const outcome = s.tags.find((t) => t.key === 'sqsops.outcome')?.value;
    const label = `${'  '.repeat(depth)}${s.operationName}${outcome ? ` [${outcome}]` : ''}`;
    const from = Math.floor((s.startTime - start) * scale);
    const bar = ' '.repeat(from) + '█'.repeat(Math.max(1, Math.round(s.duration * scale)));
    const at = `+${((s.startTime - start) / 1000).toFixed(1)}`.padStart(9);
    lines.push(
      `${label.padEnd(26)} ${service.padEnd(15)} ${at} ms ${(s.duration / 1000).toFixed(1).padStart(7)} ms |${bar.padEnd(width)}|`,
    );
    for (const c of children.get(s.spanID) ?? []) walk(c, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  return lines.join('\n');
}
