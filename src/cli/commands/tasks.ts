import type { CommandContext } from '../context.js';
import { UsageError } from '../../core/errors.js';

/** `sqsops tasks DIR`: loads every task like process-sqs would, and lists them. */
export async function run(flags: { failureTask?: string }, ctx: CommandContext, args: string[]): Promise<void> {
  const [dir] = args;
  if (!dir) throw new UsageError('give the folder of tasks: sqsops tasks DIR');
  const { loadTasks } = await import('../../features/tasks/load.js');
  const set = await loadTasks(dir, flags.failureTask ? { failureTask: flags.failureTask } : {});
  const rows = [
    ...set.tasks.map((t) => ({ name: t.name, file: t.file, role: 'every message' })),
    ...(set.failureTask ? [{ name: set.failureTask.name, file: set.failureTask.file, role: 'failure task' }] : []),
  ];
  if (ctx.out.json) {
    ctx.out.printJson({ tasks: rows }, rows);
    return;
  }
  ctx.out.print(
    ctx.out.table(
      ['task', 'runs for', 'file'],
      rows.map((r) => [r.name, r.role, r.file]),
    ),
  );
  ctx.out.note(
    `${rows.length} tasks valid in ${dir}${set.failureTask ? '' : '; no failure task (mark one with failure: true, or use --failure-task webhook)'}`,
  );
}
