import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The state dir: `SQSOPS_HOME`, else `~/.sqsops`. */
export function sqsopsHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.SQSOPS_HOME?.trim();
  return configured ? resolve(configured) : join(homedir(), '.sqsops');
}

export interface LocalPaths {
  /** Everything the embedded local AWS keeps lives below this. */
  root: string;
  /** fauxqs's SQLite, S3 object files and dynalite's LevelDB. */
  data: string;
  /** Written by the running daemon: pid, port, endpoint. */
  serverFile: string;
  log: string;
  /** The local AWS's access key id and secret (0600); see credentials.ts. */
  credentials: string;
  /** Held while one process starts the daemon, so two commands never start two. */
  startLock: string;
  /** Held by the running daemon for its whole life. */
  daemonLock: string;
}

export function localPaths(home: string): LocalPaths {
  const root = join(home, 'local');
  return {
    root,
    data: join(root, 'data'),
    serverFile: join(root, 'server.json'),
    log: join(root, 'server.log'),
    credentials: join(root, 'credentials.json'),
    startLock: join(root, 'start.lock'),
    daemonLock: join(root, 'daemon.lock'),
  };
}
