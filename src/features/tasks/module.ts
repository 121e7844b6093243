/**
 * The one place user code is imported and classified (issue 16: one plug-in point). A module
 * is either per-message code, which becomes a task whatever flag brought it, or a custom sink:
 *
 *   export default defineTask({ name, run })   a task (also as `export const task`)
 *   export async function handle(message)      a task named after its file (also a default function)
 *   export async function write(batch)         a custom sink (also a default object with write)
 */
import { basename, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../../core/errors.js';
import type { Sink, SinkMessage } from '../../pipeline/sink.js';
import type { Task } from './types.js';

export interface LoadedTask extends Task {
  /** The module it came from, or "(built-in)". */
  file: string;
}

export interface LoadedSink extends Sink {
  file: string;
}

export type Plugin = { kind: 'task'; task: LoadedTask } | { kind: 'sink'; sink: LoadedSink };

export const SHAPES_HINT =
  'export one of: default defineTask({ name, run(message) }), a function handle(message) ' +
  '(or a default function), or a custom sink write(batch)';

type Exports = Record<string, unknown>;

async function importModule(file: string): Promise<Exports> {
  if (/\.m?ts$/.test(file) && !(process.features as { typescript?: unknown }).typescript) {
    throw new UsageError(`module ${file}: TypeScript needs Node >= 22.18 (type stripping); compile it to .js or upgrade Node`);
  }
  try {
    return (await import(pathToFileURL(file).href)) as Exports;
  } catch (e: unknown) {
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new UsageError(`module ${file} could not be loaded: ${e instanceof SyntaxError ? 'syntax error: ' : ''}${first}`, {
      hint: 'fix the module; no message was processed',
      cause: e,
    });
  }
}

const isObject = (x: unknown): x is Exports => typeof x === 'object' && x !== null;
const fileName = (file: string) => basename(file, extname(file));

function asTask(file: string, task: Partial<Task>): LoadedTask {
  const name = typeof task.name === 'string' && task.name.trim() ? task.name.trim() : fileName(file);
  if (!/^[\w.-]{1,64}$/.test(name)) throw new UsageError(`module ${file}: the task name "${name}" must be 1-64 letters, digits, ., - or _`);
  const run = task.run as Task['run'];
  return { ...task, name, run: run.bind(task), failure: task.failure === true, file };
}

function asSink(file: string, candidate: Exports): LoadedSink {
  const bind = <F>(f: unknown) => (f as (...a: unknown[]) => unknown).bind(candidate) as F;
  const sink: LoadedSink = {
    name: typeof candidate.name === 'string' ? candidate.name : `sink:${fileName(file)}`,
    write: bind<Sink['write']>(candidate.write),
    close: typeof candidate.close === 'function' ? bind<Sink['close']>(candidate.close) : async () => {},
    file,
  };
  if (typeof candidate.open === 'function') sink.open = bind<NonNullable<Sink['open']>>(candidate.open);
  return sink;
}

/** Classifies a module's exports; the first matching shape wins, in the order of the header. */
export function classify(file: string, mod: Exports): Plugin {
  const object = isObject(mod.default) ? mod.default : isObject(mod.task) ? mod.task : undefined;
  if (object && typeof object.run === 'function') return { kind: 'task', task: asTask(file, object as Partial<Task>) };
  const sinkLike = object && typeof object.write === 'function' ? object : typeof mod.write === 'function' ? mod : undefined;
  if (sinkLike) return { kind: 'sink', sink: asSink(file, sinkLike) };
  const handle = typeof mod.handle === 'function' ? mod.handle : typeof mod.default === 'function' ? mod.default : undefined;
  if (handle) {
    const run = handle as (m: SinkMessage) => unknown;
    // What a handle() returns is not ours to read: a task succeeds or throws.
    return { kind: 'task', task: asTask(file, { name: fileName(file), run: async (m) => void (await run(m)) }) };
  }
  throw new UsageError(`module ${file} exports no task and no sink`, { hint: SHAPES_HINT });
}

export async function loadModule(file: string): Promise<Plugin> {
  return classify(file, await importModule(file));
}
