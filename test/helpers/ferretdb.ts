/**
 * A real MongoDB wire-protocol server for the MongoDB sink's tests: FerretDB 1.24 with
 * its SQLite backend in a temporary folder, on a free loopback port. `.ci/run` builds the
 * binary into GOPATH/bin; SQSOPS_FERRETDB_BIN names another one. Each server is a
 * process of its own, so a test can kill it and start it again on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export function ferretdbBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.SQSOPS_FERRETDB_BIN, join(env.GOPATH?.split(':')[0] || join(homedir(), 'go'), 'bin', 'ferretdb')];
  return candidates.find((c): c is string => Boolean(c) && existsSync(c!));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface FerretServer {
  url: string;
  port: number;
  /** SIGKILL: the server goes away mid-run, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFerretDB(binary: string): Promise<FerretServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sqsops-ferretdb-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    // Telemetry off and no debug HTTP listener (its default port 8088 would clash between runs).
    const args = [`--listen-addr=127.0.0.1:${port}`, '--handler=sqlite', `--sqlite-url=file:${dir}/`, `--state-dir=${dir}`];
    child = spawn(binary, [...args, '--telemetry=disable', '--debug-addr=-', '--log-level=warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    // Bounded by attempts, not by a clock: 200 tries 50 ms apart.
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`ferretdb exited with ${child.exitCode}: ${output.slice(-2000)}`);
      if (await accepts(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`ferretdb did not listen on 127.0.0.1:${port}: ${output.slice(-2000)}`);
  };
  const end = async (signal: NodeJS.Signals) => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  };

  await start();
  return {
    url: `mongodb://127.0.0.1:${port}/`,
    port,
    kill: () => end('SIGKILL'),
    restart: start,
    async stop() {
      await end('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
