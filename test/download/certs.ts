/**
 * A throwaway CA and a leaf for 127.0.0.1, 127.0.0.2, ::1 and localhost (and any `extra` names or
 * addresses) signed by it, made with the openssl command at test time (nothing secret is
 * committed). One set per process and list of extras, in a private temp folder removed at exit.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  /** PEM file of the CA: what --ca and NODE_EXTRA_CA_CERTS are given. */
  caFile: string;
  key: string;
  cert: string;
}

const made = new Map<string, TestCerts>();

export function testCerts(extra: readonly string[] = []): TestCerts {
  const key = extra.join(',');
  const had = made.get(key);
  if (had) return had;
  const dir = mkdtempSync(join(tmpdir(), 'sqsops-tls-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=sqsops test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  writeFileSync(
    join(dir, 'leaf.ext'),
    `subjectAltName=IP:127.0.0.1,IP:127.0.0.2,IP:::1,DNS:localhost${extra.map((n) => (isIP(n) ? `,IP:${n}` : `,DNS:${n}`)).join('')}\nbasicConstraints=CA:FALSE\n`,
  );
  ssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    'leaf.key',
    '-out',
    'leaf.csr',
  );
  ssl(
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'leaf.ext',
    '-out',
    'leaf.pem',
  );
  const certs = {
    dir,
    caFile: join(dir, 'ca.pem'),
    key: readFileSync(join(dir, 'leaf.key'), 'utf8'),
    cert: readFileSync(join(dir, 'leaf.pem'), 'utf8'),
  };
  made.set(key, certs);
  return certs;
}
