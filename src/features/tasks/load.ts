/**
 * Loading a folder of task modules (the seed's "drop a file in the folder"), or a JSON
 * list of module paths (in place of its tasks.xml). Every problem names its file.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { Task } from './types.js';

export interface LoadedTask extends Task {
  file: string;
}

export interface TaskSet {
  tasks: LoadedTask[];
  failureTask?: LoadedTask;
}

const EXTENSIONS = new Set(['.js', '.mjs', '.ts', '.mts']);

async function listFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (e: unknown) {
    throw new UsageError(`tasks: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'give a folder of task modules or a JSON list of their paths',
    });
  }
  if (info.isDirectory()) {
    const names = (await readdir(path)).filter((n) => EXTENSIONS.has(extname(n)) && !n.endsWith('.d.ts') && !n.startsWith('.')).sort();
    return names.map((n) => join(path, n));
  }
  // A JSON list: ["jira.mjs", "slack.mjs"] or {"tasks": [...]}, paths relative to the list.
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e: unknown) {
    throw new UsageError(`tasks: ${path} is neither a folder nor a JSON list (${(e as Error).message})`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { tasks?: unknown })?.tasks;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string'))
    throw new UsageError(`tasks: ${path} must be a JSON array of module paths`);
  return (list as string[]).map((p) => resolve(dirname(path), p));
}

async function importTask(file: string): Promise<LoadedTask> {
  if (/\.m?ts$/.test(file) && !(process.features as { typescript?: unknown }).typescript) {
    throw new UsageError(`task ${file}: TypeScript tasks need Node >= 22.18 (type stripping); compile it to .js or upgrade Node`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e: unknown) {
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new UsageError(`task ${file} could not be loaded: ${e instanceof SyntaxError ? 'syntax error: ' : ''}${first}`, {
      hint: 'fix the module; no message was processed',
      cause: e,
    });
  }
  const task = (mod.default ?? mod.task) as Partial<Task> | undefined;
  if (!task || typeof task !== 'object' || typeof task.run !== 'function') {
    throw new UsageError(`task ${file} exports no task`, {
      hint: "export default defineTask({ name: 'my-task', async run(message, ctx) { ... } })",
    });
  }
  const name = typeof task.name === 'string' && task.name.trim() ? task.name.trim() : basename(file, extname(file));
  if (!/^[\w.-]{1,64}$/.test(name)) throw new UsageError(`task ${file}: the name "${name}" must be 1-64 letters, digits, ., - or _`);
  return { ...task, name, run: task.run.bind(task), failure: task.failure === true, file } as LoadedTask;
}

export async function loadTasks(path: string, options: { failureTask?: string } = {}): Promise<TaskSet> {
  const files = await listFiles(path);
  const loaded: LoadedTask[] = [];
  for (const file of files) loaded.push(await importTask(file));
  const names = new Map<string, string>();
  for (const t of loaded) {
    const other = names.get(t.name);
    if (other) throw new UsageError(`tasks: ${t.file} and ${other} are both named "${t.name}"`);
    names.set(t.name, t.file);
  }
  const chosen = options.failureTask ? loaded.filter((t) => t.name === options.failureTask) : loaded.filter((t) => t.failure);
  if (options.failureTask && chosen.length === 0) throw new UsageError(`tasks: no task named "${options.failureTask}" in ${path}`);
  if (chosen.length > 1)
    throw new UsageError(`tasks: more than one failure task (${chosen.map((t) => t.name).join(', ')})`, {
      hint: 'mark exactly one with failure: true',
    });
  const failureTask = chosen[0];
  const tasks = loaded.filter((t) => t !== failureTask);
  if (tasks.length === 0) throw new UsageError(`tasks: ${path} has no task to run for messages`);
  return { tasks, failureTask };
}
