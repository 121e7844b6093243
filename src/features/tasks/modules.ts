/**
 * Loading user code from what `--handlers` and `--handler` name (one plug-in point): a folder
 * of modules ("drop a file in the folder"), a JSON list of module paths, or
 * module files. Each module is classified by module.ts. Every problem
 * names its file, and a broken module stops the run before any message is touched.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import type { Stats } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import { loadModule, type LoadedSink, type LoadedTask } from './module.js';

export type { LoadedSink, LoadedTask } from './module.js';

export interface TaskSet {
  /** Run for every message. */
  tasks: LoadedTask[];
  /** Run once for a message whose tasks still fail when retried from the rejects queue. */
  failureTask?: LoadedTask;
  /** Modules exporting write(batch): sinks of their own, beside the built-in ones. */
  sinks: LoadedSink[];
}

const EXTENSIONS = new Set(['.js', '.mjs', '.ts', '.mts']);
const HINT = 'give module files (.js/.mjs), a folder of them, or a JSON list of their paths';

async function statOf(path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (e: unknown) {
    throw new UsageError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { hint: HINT });
  }
}

async function readList(path: string): Promise<string[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e: unknown) {
    throw new UsageError(`${path} is not a JSON list of modules (${(e as Error).message})`, { hint: HINT });
  }
  // ["jira.mjs", "slack.mjs"] or {"tasks": [...]}, paths relative to the list.
  const list = Array.isArray(raw) ? raw : (raw as { tasks?: unknown })?.tasks;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
    throw new UsageError(`${path} must be a JSON array of module paths`, { hint: '["jira.mjs", "slack.mjs"]' });
  }
  return (list as string[]).map((p) => resolve(dirname(path), p));
}

/** The module files a path names: a folder's modules (sorted), a JSON list's entries, or the file itself. */
async function filesOf(path: string): Promise<string[]> {
  const abs = resolve(path);
  if ((await statOf(abs)).isDirectory()) {
    const names = (await readdir(abs)).filter((n) => EXTENSIONS.has(extname(n)) && !n.endsWith('.d.ts') && !n.startsWith('.'));
    return names.sort().map((n) => join(abs, n));
  }
  if (extname(abs) !== '.json') return [abs];
  const listed = await readList(abs);
  for (const file of listed) await statOf(file);
  return listed;
}

function chooseFailureTask(loaded: LoadedTask[], failureTask: string | undefined, where: string): LoadedTask | undefined {
  const chosen = failureTask ? loaded.filter((t) => t.name === failureTask) : loaded.filter((t) => t.failure);
  if (failureTask && chosen.length === 0) throw new UsageError(`no task named "${failureTask}" in ${where}`);
  if (chosen.length > 1) {
    throw new UsageError(`more than one failure task (${chosen.map((t) => t.name).join(', ')})`, {
      hint: 'mark exactly one with failure: true',
    });
  }
  return chosen[0];
}

/**
 * Loads every module the paths name, as one set: `--handler a.mjs --handler b.mjs` is the
 * same as `--handlers` given a list of those files. A file named twice is loaded once.
 */
export async function loadTasks(paths: string | string[], options: { failureTask?: string } = {}): Promise<TaskSet> {
  const given = typeof paths === 'string' ? [paths] : paths;
  if (given.length === 0) throw new UsageError('no modules given', { hint: HINT });
  const files = [...new Set((await Promise.all(given.map(filesOf))).flat())];
  const loaded: LoadedTask[] = [];
  const sinks: LoadedSink[] = [];
  const names = new Map<string, string>();
  for (const file of files) {
    const plugin = await loadModule(file);
    if (plugin.kind === 'sink') {
      sinks.push(plugin.sink);
      continue;
    }
    const other = names.get(plugin.task.name);
    if (other) {
      throw new UsageError(`${other} and ${file} both define the task "${plugin.task.name}"`, {
        hint: 'give each task its own name (defineTask({ name })), or rename the file of a handle() module',
      });
    }
    names.set(plugin.task.name, file);
    loaded.push(plugin.task);
  }
  const where = given.join(', ');
  const failureTask = chooseFailureTask(loaded, options.failureTask, where);
  const tasks = loaded.filter((t) => t !== failureTask);
  if (tasks.length === 0 && (sinks.length === 0 || failureTask)) {
    throw new UsageError(`${where} has no task to run for messages`, { hint: HINT });
  }
  const set: TaskSet = { tasks, sinks };
  if (failureTask) set.failureTask = failureTask;
  return set;
}
