/**
 * process-sqs --concurrency auto as a process: each change of the pool is a note on stderr
 * with its reason; a wrong value or bound is one line and exit 2 before anything is touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, parseJson, type CliHome, type ProcessSqsJson } from '../helpers/cli.js';

let cli: CliHome;
beforeAll(() => {
  cli = newHome();
});
afterAll(async () => cli.cleanup());

describe('sqsops process-sqs --concurrency auto', () => {
  it('grows from one poller on a backlog and says why on stderr', async () => {
    expect((await cli.run(['produce', '--count', '400'])).code).toBe(0);
    const r = await cli.run(['process-sqs', '--concurrency', 'auto', '--max-concurrency', '4', '--drain', '--wait', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson<ProcessSqsJson>(r.stdout).metrics.MessagesDeleted).toBe(400);
    expect(r.stderr).toMatch(/^concurrency 1 -> [24]: receives full(, backlog [\d,]+)?, oldest \d+ s under the 30 s target$/m);
    expect(r.stderr).not.toMatch(/concurrency \d+ -> ([5-9]|\d\d)/);
  }, 120_000);

  it.each([
    [['--concurrency', 'lots'], '--concurrency must be "auto" or a whole number from 1 to 100, not "lots"'],
    [['--concurrency', '8', '--max-concurrency', '16'], '--max-concurrency goes with --concurrency auto, not a fixed --concurrency 8'],
    [['--concurrency', 'auto', '--max-concurrency', '0'], '--max-concurrency must be a whole number from 1 to 100, not "0"'],
    [['--concurrency', 'auto', '--min-concurrency', '9', '--max-concurrency', '3'], '--min-concurrency 9 is above --max-concurrency 3'],
    [['--concurrency', 'auto', '--target-age', 'soon'], '--target-age must be a whole number from 1 to 1209600, not "soon"'],
  ])('refuses %j in one line, exit 2', async (args, message) => {
    const r = await cli.run(['process-sqs', ...args]);
    expect(r.code).toBe(2);
    const [first] = r.stderr.trim().split('\n');
    expect(first).toContain(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
