/**
 * dynalite 4.0.0 answers an action's error with a response only when the error carries
 * `statusCode` and `body` (its validation errors do); any other error is thrown from
 * LevelDB's callback (`index.js`: `if (err) throw err`) and kills the process. A full disk
 * is such an error, so the whole local AWS died on it. Here the writes of the store
 * dynalite creates answer a full disk with DynamoDB's 503, which dynalite then sends like
 * any API error; every other error is left as it was.
 */
import { readFileSync, statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { isNoSpace, noSpaceMessage } from './noSpace.js';

type Callback = (err?: unknown, ...rest: unknown[]) => void;
type Write = (this: unknown, ...args: unknown[]) => unknown;
interface LevelLike {
  put: Write;
  del: Write;
  batch: Write;
}
interface DbModule {
  create(options: Record<string, unknown>): { db: LevelLike };
}

const WRITES = ['put', 'del', 'batch'] as const;
/**
 * LevelDB appends each write to its log through a buffer; a write that hits a full disk
 * leaves a torn record there, and at the next open LevelDB drops that record and every one
 * after it in the file (measured: 50 writes answered OK after space was freed were gone
 * after a restart). So writes are refused while less than this is free: room for the
 * largest write's log record (an item is at most 400 KB) with some to spare.
 */
export const DYNAMODB_MIN_FREE_BYTES = 2 * 1024 * 1024;
let patched = false;

/** DynamoDB's answer when it cannot take a write now; the SDK retries it, then says it. */
export function noSpaceAnswer(message: string): { statusCode: number; body: { __type: string; message: string } } {
  return { statusCode: 503, body: { __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', message } };
}

function freeBytes(dir: string): number {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return Number.POSITIVE_INFINITY; // cannot tell: let LevelDB try, and say what it meets
  }
}

/**
 * The writes of one store, checked for room first. A disk-full error LevelDB still meets
 * (another writer filled the disk in between) may have torn its log, so from then on
 * writes are refused until a restart opens the database anew.
 */
function guardWrites(db: LevelLike, stateDir: string): void {
  let torn = false;
  const refusal = (): unknown => {
    const message = torn
      ? `${noSpaceMessage(stateDir)}; DynamoDB met the full disk mid-write: restart the local AWS (sqsops local stop) once there is room`
      : noSpaceMessage(stateDir);
    return Object.assign(new Error(message), noSpaceAnswer(message));
  };
  for (const name of WRITES) {
    const write = db[name];
    db[name] = function guardedWrite(this: unknown, ...args: unknown[]) {
      const last = args.length - 1;
      const cb = args[last];
      // Only dynalite's callback form reaches its `throw`; the promise form keeps its own rejections.
      if (typeof cb !== 'function') return write.apply(this, args);
      if (torn || freeBytes(stateDir) < DYNAMODB_MIN_FREE_BYTES) {
        setImmediate(cb as Callback, refusal());
        return undefined;
      }
      args[last] = (err: unknown, ...rest: unknown[]) => {
        if (err && isNoSpace(err)) {
          torn = true;
          return (cb as Callback)(refusal());
        }
        return (cb as Callback)(err, ...rest);
      };
      return write.apply(this, args);
    };
  }
}

/**
 * Wraps `db.create`, which dynalite's factory calls through the module object each time a
 * server is made (so this works whenever it runs before that call). Applies only while
 * dynalite still throws its actions' errors and has the shape patched: a dynalite that
 * changed is left alone.
 */
export function applyDynalitePatches(): void {
  if (patched) return;
  patched = true;
  const require = createRequire(import.meta.url);
  if (!/if \(err\) throw err/.test(readFileSync(require.resolve('dynalite'), 'utf8'))) return;
  const dbModule = require(require.resolve('dynalite/db/index.js')) as Partial<DbModule>;
  const create = dbModule.create;
  if (typeof create !== 'function') return;
  dbModule.create = function create_(this: unknown, options: Record<string, unknown>) {
    const store = create.call(this, options);
    const path = options.path;
    if (typeof path === 'string' && WRITES.every((w) => typeof store.db?.[w] === 'function')) guardWrites(store.db, dirname(path));
    return store;
  };
}
