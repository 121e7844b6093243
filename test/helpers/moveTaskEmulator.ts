/**
 * fauxqs has no message move tasks (StartMessageMoveTask, ListMessageMoveTasks,
 * CancelMessageMoveTask) nor ListDeadLetterSourceQueues. This server adds them in front
 * of the real emulator, at the wire, the way SQS documents them: a task moves batches
 * from the DLQ (to DestinationArn, or back to the queue whose redrive policy names the
 * DLQ) at MaxNumberOfMessagesPerSecond; a cancel stops it between batches. Every other
 * request goes through to the emulator untouched.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsQueues } from '../../src/aws/queue.js';

interface Task {
  TaskHandle: string;
  Status: 'RUNNING' | 'CANCELLING' | 'CANCELLED' | 'COMPLETED' | 'FAILED';
  SourceArn: string;
  DestinationArn?: string;
  MaxNumberOfMessagesPerSecond?: number;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  StartedTimestamp: number;
  FailureReason?: string;
}

export interface MoveTaskEmulator {
  endpoint: string;
  tasks: Task[];
  close(): Promise<void>;
}

export async function startMoveTaskEmulator(
  upstream: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<MoveTaskEmulator> {
  const sqs = new SQSClient({ endpoint: upstream, region: 'us-east-1', credentials });
  const queues = new SqsQueues(sqs);
  const tasks: Task[] = [];
  const up = new URL(upstream);

  const urlOf = async (arn: string) => (await queues.findUrl(arn.split(':').pop()!))!;
  const sourcesOf = async (dlqArn: string) => {
    const out: string[] = [];
    for (const u of await queues.list()) if ((await queues.describe(u)).deadLetterTargetArn === dlqArn) out.push(u);
    return out;
  };

  const run = async (task: Task) => {
    const from = await urlOf(task.SourceArn);
    const to = task.DestinationArn ? await urlOf(task.DestinationArn) : (await sourcesOf(task.SourceArn))[0]!;
    const perSecond = task.MaxNumberOfMessagesPerSecond ?? 50;
    while (task.Status === 'RUNNING') {
      const batch = await queues.receive(from, { max: Math.min(10, perSecond), waitSeconds: 0, visibilityTimeout: 30 });
      if (batch.length === 0) break;
      await queues.sendBatch(
        to,
        batch.map((m, i) => ({ id: String(i), body: m.Body ?? '', ...(m.MessageAttributes ? { attributes: m.MessageAttributes } : {}) })),
      );
      await queues.deleteBatch(
        from,
        batch.map((m, i) => ({ id: String(i), receiptHandle: m.ReceiptHandle ?? '' })),
      );
      task.ApproximateNumberOfMessagesMoved += batch.length;
      await sleep((1000 * batch.length) / perSecond);
    }
    task.Status = task.Status === 'CANCELLING' ? 'CANCELLED' : 'COMPLETED';
  };

  const actions: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    async ListDeadLetterSourceQueues(body) {
      const dlq = await queues.describe(String(body.QueueUrl));
      return { queueUrls: await sourcesOf(dlq.arn) };
    },
    async StartMessageMoveTask(body) {
      const source = String(body.SourceArn);
      const visible = Number((await queues.attributes(await urlOf(source), ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages);
      const task: Task = {
        TaskHandle: randomUUID(),
        Status: 'RUNNING',
        SourceArn: source,
        ...(body.DestinationArn ? { DestinationArn: String(body.DestinationArn) } : {}),
        ...(body.MaxNumberOfMessagesPerSecond ? { MaxNumberOfMessagesPerSecond: Number(body.MaxNumberOfMessagesPerSecond) } : {}),
        ApproximateNumberOfMessagesMoved: 0,
        ApproximateNumberOfMessagesToMove: visible,
        StartedTimestamp: Date.now(),
      };
      tasks.unshift(task);
      void run(task).catch((e: unknown) => {
        task.Status = 'FAILED';
        task.FailureReason = String(e);
      });
      return { TaskHandle: task.TaskHandle };
    },
    async ListMessageMoveTasks(body) {
      const mine = tasks.filter((t) => t.SourceArn === body.SourceArn).slice(0, 10);
      // SQS shows the handle only while a task runs.
      return { Results: mine.map(({ TaskHandle, ...t }) => ({ ...t, ...(t.Status === 'RUNNING' ? { TaskHandle } : {}) })) };
    },
    async CancelMessageMoveTask(body) {
      const task = tasks.find((t) => t.TaskHandle === body.TaskHandle && t.Status === 'RUNNING');
      if (!task) throw Object.assign(new Error('no running task with this handle'), { type: 'ResourceNotFoundException' });
      task.Status = 'CANCELLING';
      return { ApproximateNumberOfMessagesMoved: task.ApproximateNumberOfMessagesMoved };
    },
  };

  const server = http.createServer((req, res) => {
    const action = String(req.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
    const handler = actions[action];
    if (!handler) {
      const forward = http.request(
        { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      req.pipe(forward);
      return;
    }
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      handler(JSON.parse(raw || '{}') as Record<string, unknown>).then(
        (out) => {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify(out));
        },
        (e: unknown) => {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(
            JSON.stringify({ __type: (e as { type?: string }).type ?? 'InvalidParameterValue', message: String((e as Error).message) }),
          );
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tasks,
    close: () =>
      new Promise<void>((resolve) => {
        sqs.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
