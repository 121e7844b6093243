/** `sqsops purge` as a process: the count it prints, the question on AWS, bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, type CliHome } from '../helpers/cli.js';

let cli: CliHome;
beforeAll(() => {
  cli = newHome();
});
afterAll(async () => cli.cleanup());

const json = (s: string) => JSON.parse(s) as Record<string, unknown>;

describe('sqsops purge', () => {
  it('empties a local queue without asking and says how many messages it removed', async () => {
    expect((await cli.run(['produce', '--queue', 'purge-e2e', '--count', '25'])).code).toBe(0);
    const r = await cli.run(['purge', 'purge-e2e']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/removed\s+│\s+25 \(25 visible, 0 in flight, 0 delayed\)/);
    expect((await cli.run(['produce', '--queue', 'purge-e2e-json', '--count', '2'])).code).toBe(0);
    const asJson = await cli.run(['purge', 'purge-e2e-json', '--json']);
    expect(asJson.code).toBe(0);
    expect(json(asJson.stdout)).toMatchObject({ queue: 'purge-e2e-json', removed: 2 });
  });

  it('says what SQS says when the same queue is purged again within 60 seconds, and exits 1', async () => {
    const again = await cli.run(['purge', 'purge-e2e']);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(
      /^error: SQS refused to purge "purge-e2e": Only one PurgeQueue operation on purge-e2e is allowed every 60 seconds\. \(PurgeQueueInProgress\)$/m,
    );
    expect(again.stderr).not.toMatch(/\n\s+at /);
  });

  it('asks first on AWS: without a terminal only --yes purges', async () => {
    expect((await cli.run(['local', 'start'])).code).toBe(0);
    // The local AWS's own credentials, as `local env` gives them to other tools: it stands in for AWS.
    const env = { ...(json((await cli.run(['local', 'env', '--json'])).stdout) as Record<string, string>), AWS_REGION: 'us-east-1' };
    expect((await cli.run(['produce', '--queue', 'purge-aws', '--count', '3'])).code).toBe(0);
    const no = await cli.run(['purge', 'purge-aws'], { env });
    expect(no.code).toBe(130);
    expect(no.stderr).toMatch(/^error: refusing to purge purge-aws on real AWS without confirmation\nhint: pass --yes to confirm$/m);
    const yes = await cli.run(['purge', 'purge-aws', '--yes', '--json'], { env });
    expect(yes.code).toBe(0);
    expect(json(yes.stdout)).toMatchObject({ removed: 3 });
  });

  it('refuses a missing queue, and no queue at all, with one line', async () => {
    const missing = await cli.run(['purge', 'not-a-queue-here']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^error: queue "not-a-queue-here" does not exist$/m);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const none = await cli.run(['purge']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/missing required argument 'queue'/);
  });
});
