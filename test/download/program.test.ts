import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../helpers/program.js';

describe('sqsops download-urls on the command line', () => {
  it.each([
    [
      ['download-urls', 'urls.json'],
      ['urls.json'],
      { concurrency: 16, retries: 4, connectTimeout: 10, idleTimeout: 30, maxRedirects: 5, fsync: true },
    ],
    [
      ['download-urls', '-', '-o', 'out', '-c', '32', '--per-host', '4', '--retries', '0', '--force', '--strict', '--no-fsync'],
      ['-'],
      { out: 'out', concurrency: 32, perHost: 4, retries: 0, force: true, strict: true, fsync: false },
    ],
    [
      ['download-urls', 'lists/', '--to-s3', 's3://b/p', '--connect-timeout', '3', '--idle-timeout', '7', '--max-redirects', '0'],
      ['lists/'],
      { toS3: 's3://b/p', connectTimeout: 3, idleTimeout: 7, maxRedirects: 0 },
    ],
    [
      ['download-urls', 'u.json', '--ca', 'ca.pem', '--allow-address', '10.0.0.0/8', '--allow-address', '169.254.169.254'],
      ['u.json'],
      { ca: 'ca.pem', allowAddress: ['10.0.0.0/8', '169.254.169.254'] },
    ],
  ])('parses %j', async (argv, args, options) => {
    const r = await parseCommandLine(argv);
    expect(r.name).toBe('download-urls');
    expect(r.args).toEqual(args);
    expect(r.options).toMatchObject(options);
  });

  it.each([
    [['download-urls'], /missing required argument 'file'/],
    [['download-urls', 'x', '--bogus'], /unknown option '--bogus'/],
    [['download-urls', 'x', '--retries'], /argument missing/],
  ])('rejects %j with a clear message', async (argv, message) => {
    const r = await parseCommandLine(argv);
    expect(r.name).toBeUndefined();
    expect(r.error).toMatch(message);
  });
});
