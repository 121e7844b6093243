import type { CommandContext } from '../context.js';
import { UsageError } from '../../core/errors.js';

/** `sqsops tasks PATH...`: loads your code like process-sqs would (files, folders, JSON lists), and lists it. */
export async function run(flags: { failureTask?: string }, ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length === 0) throw new UsageError('give your modules, a folder of them, or a JSON list: sqsops tasks PATH...');
  const { loadTasks } = await import('../../features/tasks/modules.js');
  const set = await loadTasks(args, flags.failureTask ? { failureTask: flags.failureTask } : {});
  const rows = [
    ...set.tasks.map((t) => ({ name: t.name, file: t.file, role: 'every message' })),
    ...(set.failureTask ? [{ name: set.failureTask.name, file: set.failureTask.file, role: 'failure task' }] : []),
    ...set.sinks.map((s) => ({ name: s.name, file: s.file, role: 'custom sink' })),
  ];
  if (ctx.out.json) {
    ctx.out.printJson({ tasks: rows }, rows);
    return;
  }
  ctx.out.print(
    ctx.out.table(
      ['name', 'runs as', 'file'],
      rows.map((r) => [r.name, r.role, r.file]),
    ),
  );
  const what = `${set.tasks.length + (set.failureTask ? 1 : 0)} tasks and ${set.sinks.length} custom sinks valid in ${args.join(', ')}`;
  ctx.out.note(`${what}${set.failureTask ? '' : '; no failure task (mark one with failure: true, or use --failure-task webhook)'}`);
}
