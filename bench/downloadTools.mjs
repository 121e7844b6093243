/**
 * The tools bench/download.mjs measures, one table, and how each is run and measured.
 * Every tool is its own process under /usr/bin/time, so wall time, peak RSS and CPU
 * (user + sys) are the tool's own, start-up included, never the server's or the bench's.
 * Over https each is told to trust the bench's throwaway CA its own way (curl --cacert,
 * aria2c --ca-certificate, sqsops --ca, NODE_EXTRA_CA_CERTS for the undici loop);
 * none is told to skip verification, so every row pays for the same TLS.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MINE = 'sqsops download-urls';
export const MINE_NO_SYNC = 'sqsops download-urls --no-fsync';
export const UNDICI = 'undici request() loop';
export const CURL = 'curl --parallel';
export const FLOOR = 'node floor (no sqsops)';

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Runs argv under /usr/bin/time; returns wall seconds, peak RSS in MiB and CPU seconds (user + sys, children included). */
function measure(work, argv, env = process.env) {
  const timeFile = join(work, 'time.txt');
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, ...argv], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${argv[0]} exited ${r.status}: ${(r.stderr || r.stdout).slice(0, 400)}`);
  const [kib, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { seconds, rssMiB: kib / 1024, cpu: user + sys };
}

/** `ctx`: { work, root, scheme, caFile }. `peer`: a tool sqsops is judged against; `schemes`: where it can run. */
export function tools(ctx) {
  const { work, root } = ctx;
  const node = process.execPath;
  const jsonList = (urls) => {
    const list = join(work, 'list.json');
    writeFileSync(list, JSON.stringify(urls));
    return list;
  };
  const sqsops = (name, extra, syncs) => ({
    name,
    syncs,
    peer: false,
    schemes: ['http', 'https'],
    available: () => existsSync(join(root, 'dist/cli.js')),
    missing: 'dist/ is not built: run npm run build',
    run: (urls, dir, c, t) => {
      const ca = t.scheme === 'https' ? ['--ca', t.caFile] : [];
      const argv = [
        node,
        join(root, 'bin/sqsops.js'),
        '-q',
        'download-urls',
        jsonList(urls),
        '--out',
        dir,
        '--concurrency',
        String(c),
        ...ca,
        ...extra,
      ];
      return measure(work, argv, { ...process.env, SQSOPS_HOME: join(work, 'home'), NO_COLOR: '1' });
    },
  });
  return [
    sqsops(MINE, [], 'fdatasync'),
    sqsops(MINE_NO_SYNC, ['--no-fsync'], 'no'),
    {
      name: UNDICI,
      syncs: 'no',
      peer: true,
      schemes: ['http', 'https'],
      available: () => true,
      run: (urls, dir, c, t) => {
        // An undefined value is left out of the child's environment.
        const env = { ...process.env, NODE_EXTRA_CA_CERTS: t.scheme === 'https' ? t.caFile : undefined };
        return measure(work, [node, join(root, 'bench/downloadUndici.mjs'), jsonList(urls), dir, String(c)], env);
      },
    },
    {
      name: 'aria2c',
      syncs: 'no',
      peer: true,
      schemes: ['http', 'https'],
      available: () => have('aria2c'),
      missing: 'aria2c is not installed (apt-get install -y aria2): skipped',
      run: (urls, dir, c, t) => {
        const list = join(work, 'list.txt');
        writeFileSync(list, `${urls.join('\n')}\n`);
        const ca = t.scheme === 'https' ? [`--ca-certificate=${t.caFile}`] : [];
        const flags = [
          '-j',
          String(c),
          '-x',
          '1',
          '-s',
          '1',
          '--file-allocation=none',
          '--auto-file-renaming=false',
          '--allow-overwrite=true',
        ];
        return measure(work, ['aria2c', '-q', '-i', list, '-d', dir, ...flags, '--summary-interval=0', ...ca]);
      },
    },
    {
      name: CURL,
      syncs: 'no',
      peer: true,
      schemes: ['http', 'https'],
      available: () => have('curl'),
      missing: 'curl is not installed (apt-get install -y curl): skipped',
      run: (urls, dir, c, t) => {
        const cfg = join(work, 'curl.cfg');
        writeFileSync(cfg, urls.map((u) => `url = "${u}"\noutput = "${join(dir, new URL(u).pathname.split('/').pop())}"\n`).join(''));
        const ca = t.scheme === 'https' ? ['--cacert', t.caFile] : [];
        return measure(work, ['curl', '--parallel', '--parallel-max', String(c), '--fail', '--silent', '--show-error', ...ca, '-K', cfg]);
      },
    },
    {
      // Raw sockets and a minimal HTTP parser: there is no TLS in it, so it has no https row.
      name: FLOOR,
      syncs: 'no',
      peer: false,
      schemes: ['http'],
      available: () => true,
      run: (urls, dir, c) => measure(work, [node, join(root, 'bench/downloadFloor.mjs'), jsonList(urls), dir, String(c)]),
    },
  ];
}
