/**
 * The requests/rejects flow of a message parser: tasks for every message, a
 * failed task retried alone, the rejects queue, and the failure task run exactly once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '../helpers/aws.js';
import { produce } from '../../src/features/produce/produce.js';
import { processSqs } from '../../src/features/process/runner.js';
import { createTaskSink } from '../../src/features/tasks/taskSink.js';
import { loadTasks, type LoadedTask } from '../../src/features/tasks/modules.js';
import { webhookTask } from '../../src/features/tasks/webhook.js';
import { openLedger, openQueue } from '../../src/pipeline/resources.js';
import { UsageError } from '../../src/core/errors.js';
import { MAX_REQUEST_BYTES, TRUNCATED_MARKER } from '../../src/core/batching.js';
import { ROOT } from '../helpers/cli.js';

let aws: TestAws;
let receiver: http.Server;
let hooks: { body: string; path: string }[];
let hookUrl: string;
beforeAll(async () => {
  aws = await startTestAws();
  hooks = [];
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      hooks.push({ body, path: req.url ?? '' });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/services/T000/B000/secret-token`;
});
afterAll(async () => {
  receiver.close();
  await aws.stop();
});

const task = (name: string, run: LoadedTask['run']): LoadedTask => ({ name, run, file: `(test ${name})` });

async function flow(queue: string, tasks: LoadedTask[], mode: 'requests' | 'rejects', failureTask?: LoadedTask) {
  const owner = `owner-${mode}-${Math.random()}`;
  const ledger = await openLedger(aws.clients, 'tasks-ledger', { createIfLocal: true });
  const rejects =
    mode === 'requests'
      ? { queues: aws.queues, queue: await openQueue(aws.clients, `${queue}-rejects`, { createIfLocal: true }) }
      : undefined;
  const sink = createTaskSink({
    set: { tasks, ...(failureTask ? { failureTask } : {}) },
    mode,
    owner,
    ledger,
    ...(rejects ? { rejects } : {}),
  });
  return processSqs(aws.clients, {
    queue: mode === 'requests' ? queue : `${queue}-rejects`,
    ledgerTable: 'tasks-ledger',
    key: 'orderId',
    sinks: [sink],
    owner,
    drain: true,
    waitSeconds: 0,
    ...(mode === 'rejects' ? { keySuffix: '#rejects' } : {}),
  });
}

describe('tasks', () => {
  it('retries a task that failed once alone: it runs twice, its sibling once', async () => {
    await produce(aws.clients, { queue: 't-once', inputs: [{ body: JSON.stringify({ orderId: 'A' }), source: '#1' }] });
    const runs: string[] = [];
    let failed = false;
    const flaky = task('flaky', () => {
      runs.push('flaky');
      if (!failed) {
        failed = true;
        throw new Error('first time fails');
      }
    });
    const steady = task('steady', () => void runs.push('steady'));
    const r = await flow('t-once', [flaky, steady], 'requests');
    expect(runs.sort()).toEqual(['flaky', 'flaky', 'steady']);
    expect(r.metrics).toMatchObject({ MessagesSaved: 1, MessagesDeleted: 1 });
    expect(await aws.drain((await aws.queues.resolve('t-once-rejects')).url)).toEqual([]);
    const record = await (await openLedger(aws.clients, 'tasks-ledger')).get({ consumer: 't-once', key: 'A' });
    expect([...((record as { tasksDone?: Set<string> }).tasksDone ?? [])].sort()).toEqual(['flaky', 'steady']);
  });

  it('parks a message whose task always fails in the rejects queue, then runs the failure task exactly once', async () => {
    const body = JSON.stringify({ orderId: 'B', total: 3 });
    await produce(aws.clients, { queue: 't-always', inputs: [{ body, source: '#1' }] });
    const runs: string[] = [];
    const bad = task('jira', () => {
      runs.push('jira');
      throw new Error('Jira is down');
    });
    const good = task('trello', () => void runs.push('trello'));
    await flow('t-always', [bad, good], 'requests');
    expect(runs.sort()).toEqual(['jira', 'jira', 'trello']);
    const rejectsUrl = (await aws.queues.resolve('t-always-rejects')).url;
    const [parked] = await aws.queues.receive(rejectsUrl, { max: 1, waitSeconds: 0, visibilityTimeout: 0 });
    expect(parked?.Body).toBe(body);
    expect(parked?.MessageAttributes?.['sqsops.failedTasks']?.StringValue).toBe('jira');
    expect(JSON.parse(parked!.MessageAttributes!['sqsops.errors']!.StringValue!)).toEqual([{ task: 'jira', error: 'Jira is down' }]);

    runs.length = 0;
    hooks.length = 0;
    const r = await flow('t-always', [bad, good], 'rejects', { ...webhookTask(hookUrl), file: '(built-in)' });
    expect(runs).toEqual(['jira', 'jira']); // only the failed task, retried once; trello is not run again
    expect(hooks).toHaveLength(1);
    expect(JSON.parse(hooks[0]!.body).text).toMatch(/message B#rejects from t-always-rejects still fails[\s\S]*jira: Jira is down/);
    expect(r.metrics).toMatchObject({ MessagesDeleted: 1 });
    const again = await flow('t-always', [bad, good], 'rejects', { ...webhookTask(hookUrl), file: '(built-in)' });
    expect(again.metrics.MessagesReceived).toBe(0);
    expect(hooks).toHaveLength(1);
  });

  it('parks a message of almost 1 MiB in the rejects queue, its error note shortened to fit and redacted', async () => {
    const body = JSON.stringify({ orderId: 'BIG', pad: 'x'.repeat(MAX_REQUEST_BYTES - 300) });
    await produce(aws.clients, { queue: 't-big', inputs: [{ body, source: '#1' }] });
    const bad = task('bad', () => {
      throw new Error(`mongodb://u:RejPw-1234@h1,h2/db is down ${'e'.repeat(450)}`);
    });
    const r = await flow('t-big', [bad], 'requests');
    // Parked in the rejects queue: handled and deleted, but counted apart from saved.
    expect(r.metrics).toMatchObject({ MessagesToRejects: 1, MessagesSaved: 0, MessagesDeleted: 1 });
    const rejectsUrl = (await aws.queues.resolve('t-big-rejects')).url;
    const [parked] = await aws.queues.receive(rejectsUrl, { max: 1, waitSeconds: 0, visibilityTimeout: 0 });
    expect(parked?.Body).toBe(body);
    expect(parked?.MessageAttributes?.['sqsops.failedTasks']?.StringValue).toBe('bad');
    const errors = parked?.MessageAttributes?.['sqsops.errors']?.StringValue ?? '';
    expect(errors.endsWith(TRUNCATED_MARKER)).toBe(true);
    expect(errors).toContain('mongodb://u:***@h1,h2/db');
    expect(errors).not.toContain('RejPw-1234');
  });

  it('keeps a rejected message when the webhook fails, without printing its URL', async () => {
    await produce(aws.clients, { queue: 't-hookdown', inputs: [{ body: JSON.stringify({ orderId: 'C' }), source: '#1' }] });
    const bad = task('slack', () => {
      throw new Error('nope');
    });
    await flow('t-hookdown', [bad], 'requests');
    const logs: string[] = [];
    const owner = 'o-hookdown';
    const sink = createTaskSink({
      set: { tasks: [bad], failureTask: { ...webhookTask('http://127.0.0.1:1/services/secret-token'), file: '' } },
      mode: 'rejects',
      owner,
      ledger: await openLedger(aws.clients, 'tasks-ledger'),
    });
    const r = await processSqs(aws.clients, {
      queue: 't-hookdown-rejects',
      ledgerTable: 'tasks-ledger',
      key: 'orderId',
      keySuffix: '#rejects',
      sinks: [sink],
      owner,
      drain: true,
      waitSeconds: 0,
      log: (...a) => void logs.push(JSON.stringify(a)),
    });
    expect(r.metrics).toMatchObject({ MessagesRetried: 1, MessagesDeleted: 0 });
    expect(logs.join('\n')).toMatch(/webhook unreachable \(ECONNREFUSED\)/);
    expect(logs.join('\n')).not.toContain('secret-token');
  });
});

describe('loading tasks', () => {
  it('loads a folder, with its failure task apart', async () => {
    const set = await loadTasks(join(ROOT, 'test/fixtures/tasks-ok'));
    expect(set.tasks.map((t) => t.name)).toEqual(['audit']);
    expect(set.failureTask?.name).toBe('alert');
  });

  it('names the file with a syntax error', async () => {
    const err = await loadTasks(join(ROOT, 'test/fixtures/tasks-bad')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    // Under vitest the module goes through vite, which words the parse error its own way;
    // the built CLI's wording ("syntax error: ...") is checked end to end.
    expect((err as Error).message).toMatch(/^module .*tasks-bad\/broken\.mjs could not be loaded: /);
  });

  it('loads the sample tasks in examples/', async () => {
    const set = await loadTasks(join(ROOT, 'examples/tasks'));
    expect(set.tasks.map((t) => t.name).sort()).toEqual(['notify-webhook', 'save-to-file']);
  });
});
