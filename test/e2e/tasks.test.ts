/** Tasks from the command line: checking a folder, and the requests → rejects flow. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, parseJson, ROOT, type CliHome, type LocalStatusJson, type ProcessSqsJson } from '../helpers/cli.js';
import type { ShowResult } from '../../src/features/ledger/ledgerOps.js';

let cli: CliHome;
beforeAll(() => {
  cli = newHome();
});
afterAll(async () => cli.cleanup());

const fixture = (name: string) => join(ROOT, 'test/fixtures', name);
/** process-sqs with these flags, draining the queue, the summary as JSON on stdout. */
const drainJson = (flags: string[]) => cli.run(['process-sqs', ...flags, '--drain', '--wait', '1', '--json']);

async function depth(queue: string): Promise<number | undefined> {
  const status = parseJson<LocalStatusJson>((await cli.run(['local', 'status', '--json'])).stdout);
  return status.queues.find((x) => x.name === queue)?.visible;
}

describe('sqsops tasks and process-sqs --handlers', () => {
  it('lists a valid folder of tasks', async () => {
    const r = await cli.run(['tasks', join(ROOT, 'examples/tasks'), '--json']);
    expect(r.code).toBe(0);
    expect(
      parseJson<{ tasks: { name: string }[] }>(r.stdout)
        .tasks.map((t) => t.name)
        .sort(),
    ).toEqual(['notify-webhook', 'save-to-file']);
  });

  it('names the task file that has a syntax error', async () => {
    const r = await cli.run(['tasks', join(ROOT, 'test/fixtures/tasks-bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: module .*tasks-bad\/broken\.mjs could not be loaded: syntax error: /m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs the sample tasks, parks failures in the rejects queue, and notifies the webhook once', async () => {
    const out = join(cli.home, 'task-output');
    const hooks: string[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        hooks.push(`${req.url} ${body}`);
        // The example task's endpoint refuses; the failure webhook accepts.
        res.statusCode = req.url === '/example' ? 503 : 200;
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const env = {
      SQSOPS_EXAMPLE_OUT_DIR: out,
      SQSOPS_EXAMPLE_WEBHOOK_URL: `${base}/example`,
      SQSOPS_WEBHOOK_URL: `${base}/hooks/secret-token`,
    };
    try {
      expect((await cli.run(['produce', '--queue', 'requests', '--count', '3', '--seed', '1'], { env })).code).toBe(0);
      const first = await cli.run(
        [
          'process-sqs',
          '--queue',
          'requests',
          '--key',
          'orderId',
          '--handlers',
          join(ROOT, 'examples/tasks'),
          '--rejects-queue',
          '--drain',
          '--wait',
          '1',
          '--json',
        ],
        { env },
      );
      // Routed to the rejects queue by design: a handled outcome (exit 0), counted apart from saved.
      expect(first.code).toBe(0);
      expect(parseJson<ProcessSqsJson>(first.stdout).metrics).toMatchObject({
        MessagesReceived: 3,
        MessagesToRejects: 3,
        MessagesSaved: 0,
      });
      expect(parseJson<ProcessSqsJson>(first.stdout).metrics.MessagesDeleted).toBe(3);
      expect(first.stderr).toMatch(/^3 messages went to requests-rejects: a task failed/m);
      expect(readdirSync(out)).toHaveLength(3);
      const shown = parseJson<ShowResult>((await cli.run(['show', '--json'], { env })).stdout);
      for (const item of shown.items) expect(item.tasksDone).toEqual(['save-to-file']);
      expect(hooks.filter((h) => h.startsWith('/example'))).toHaveLength(6); // 3 messages, each tried twice
      const second = await cli.run(
        [
          'process-sqs',
          '--queue',
          'requests-rejects',
          '--rejects',
          '--key',
          'orderId',
          '--handlers',
          join(ROOT, 'examples/tasks'),
          '--failure-task',
          'webhook',
          '--drain',
          '--wait',
          '1',
          '--json',
        ],
        { env },
      );
      expect(second.code).toBe(0);
      expect(parseJson<ProcessSqsJson>(second.stdout).metrics).toMatchObject({ MessagesReceived: 3, MessagesSaved: 3, MessagesDeleted: 3 });
      expect(hooks.filter((h) => h.startsWith('/hooks'))).toHaveLength(3);
      expect(readdirSync(out)).toHaveLength(3); // save-to-file did not run again
      expect(second.stderr + second.stdout + first.stderr).not.toContain('secret-token');
    } finally {
      receiver.close();
    }
  });

  it('checks module files: a handle() module is a task, a write(batch) module a custom sink', async () => {
    const r = await cli.run(['tasks', fixture('plugins/audit.mjs'), fixture('plugins/memorySink.mjs'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson<{ tasks: { name: string; role: string; file: string }[] }>(r.stdout).tasks).toEqual([
      { name: 'audit', role: 'every message', file: fixture('plugins/audit.mjs') },
      { name: 'memory', role: 'custom sink', file: fixture('plugins/memorySink.mjs') },
    ]);
  });

  it('refuses two tasks of one name from --handlers and --handler with one line, before touching a message', async () => {
    const r = await cli.run(['process-sqs', '--handlers', fixture('tasks-ok'), '--handler', fixture('plugins/audit.mjs'), '--drain']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*tasks-ok\/audit\.mjs and .*plugins\/audit\.mjs both define the task "audit"$/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('sends a message whose --handler task says retryable: false to the DLQ, and the summary adds up', async () => {
    expect((await cli.run(['produce', '--queue', 'refused', '--count', '3', '--seed', '2'])).code).toBe(0);
    const r = await drainJson(['--queue', 'refused', '--key', 'orderId', '--handler', fixture('plugins/refuse.mjs')]);
    expect(r.code, r.stderr).toBe(0);
    const out = parseJson<ProcessSqsJson>(r.stdout);
    expect(out.metrics).toMatchObject({
      MessagesReceived: 3,
      InvalidMessages: 3,
      MessagesToDLQ: 3,
      MessagesRetried: 0,
      MessagesDeleted: 3,
    });
    expect(out.identityHolds).toBe(true);
    expect(await depth('refused-dlq')).toBe(3);
  });

  it('parks --handler failures in the --rejects-queue while a custom sink given the same way stores every message', async () => {
    const stored = join(cli.home, 'memory-sink.txt');
    expect((await cli.run(['produce', '--queue', 'parking', '--count', '4', '--seed', '3'])).code).toBe(0);
    // A rejects queue by another name than <queue>-rejects is made by setup: a typo creates nothing.
    expect((await cli.run(['setup', '--queue', 'parked'])).code).toBe(0);
    const r = await cli.run(
      [
        'process-sqs',
        '--queue',
        'parking',
        '--key',
        'orderId',
        '--handler',
        fixture('plugins/refuse.mjs'),
        fixture('plugins/memorySink.mjs'),
      ].concat(['--rejects-queue', 'parked', '--drain', '--wait', '1', '--json']),
      { env: { MEMORY_SINK_FILE: stored } },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = parseJson<ProcessSqsJson>(r.stdout);
    expect(out.metrics).toMatchObject({ MessagesReceived: 4, MessagesToRejects: 4, MessagesSaved: 0, MessagesDeleted: 4 });
    expect(out.identityHolds).toBe(true);
    expect(r.stderr).toMatch(/^4 messages went to parked: a task failed/m);
    expect(await depth('parked')).toBe(4);
    expect(new Set(readFileSync(stored, 'utf8').trim().split('\n')).size).toBe(4);
    // --rejects consumes the queue --rejects-queue names; the task still refuses for good and there is no failure task.
    const again = await drainJson([
      '--rejects',
      '--rejects-queue',
      'parked',
      '--key',
      'orderId',
      '--handler',
      fixture('plugins/refuse.mjs'),
    ]);
    expect(again.code, again.stderr).toBe(0);
    const second = parseJson<ProcessSqsJson>(again.stdout);
    expect(second.queue).toBe('parked');
    expect(second.metrics).toMatchObject({ MessagesReceived: 4, InvalidMessages: 4, MessagesToDLQ: 4 });
    expect(second.identityHolds).toBe(true);
    expect(await depth('parked')).toBe(0);
    expect(await depth('parked-dlq')).toBe(4);
  });
});
