/**
 * The database drivers are optional peer dependencies of sqsops: only users of their sink
 * install them (the SQL Server driver alone brings ~50 MB of Azure packages). A sink checks
 * its driver when it is built, so a missing package stops the run with one line saying what
 * to install, instead of failing every message as a retryable store error.
 */
import { UsageError } from '../../../core/errors.js';

/** Literal imports, so bundlers see the names and keep them external. */
const DRIVERS = {
  mongodb: () => import('mongodb'),
  mssql: () => import('mssql'),
} as const;

export type DriverName = keyof typeof DRIVERS;

/** True when `e` says that the package `name` itself (not one of its own dependencies) is absent. */
export function isMissingPackage(e: unknown, name: string): boolean {
  if (!e || typeof e !== 'object') return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return typeof message === 'string' && (message.includes(`'${name}'`) || message.includes(`"${name}"`));
}

export async function requireDriver(name: DriverName): Promise<void> {
  try {
    await DRIVERS[name]();
  } catch (e: unknown) {
    if (!isMissingPackage(e, name)) throw e;
    throw new UsageError(`the ${name} sink needs the "${name}" package, which is not installed`, {
      hint: `install it beside sqsops: npm install ${name} (npm install -g ${name} for a global sqsops)`,
      cause: e,
    });
  }
}
