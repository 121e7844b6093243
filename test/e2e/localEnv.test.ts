/**
 * `sqsops local env` hands the local AWS's endpoint and credentials to other tools: the
 * AWS CLI (when installed) works against it after `eval "$(sqsops local env)"`, and a
 * command without them is refused. The state dir's tightening note reaches stderr.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, newHome, type CliHome } from '../helpers/cli.js';

let cli: CliHome;
beforeAll(() => {
  cli = newHome();
});
afterAll(async () => cli.cleanup());

/** The CLI as a shell sees it, run by this Node (the machine's `node` may be too old). */
const node = JSON.stringify(process.execPath);
const bin = JSON.stringify(BIN);
const hasAws = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;

/** Runs a shell script with the test's environment; the AWS CLI gets no config files of the machine. */
function sh(script: string): { code: number | null; stdout: string; stderr: string } {
  const env = { ...cli.env, PATH: process.env.PATH, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '' };
  const r = spawnSync('bash', ['-c', script], { env, encoding: 'utf8', cwd: cli.home, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sqsops local env', () => {
  it('prints shell exports and JSON with the endpoint and the generated credentials', async () => {
    const text = await cli.run(['local', 'env']);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines.map((l) => l.split('=')[0])).toEqual([
      'export AWS_ENDPOINT_URL',
      'export AWS_ACCESS_KEY_ID',
      'export AWS_SECRET_ACCESS_KEY',
      'export AWS_REGION',
      'export AWS_DEFAULT_REGION',
    ]);
    const json = JSON.parse((await cli.run(['local', 'env', '--json'])).stdout) as Record<string, string>;
    expect(json.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(json.AWS_ACCESS_KEY_ID).toMatch(/^LSQS[A-Z0-9]{16}$/);
    expect(text.stdout).toContain(`export AWS_ACCESS_KEY_ID=${json.AWS_ACCESS_KEY_ID}\n`);
    const exported = sh(`eval "$(${node} ${bin} local env)"; echo "$AWS_SECRET_ACCESS_KEY"`);
    expect(exported.stdout.trim()).toBe(json.AWS_SECRET_ACCESS_KEY);
  });

  it('lets the AWS CLI list queues, buckets and tables, and the AWS CLI without them is refused', async (ctx) => {
    if (!hasAws) {
      console.log('skipped: the AWS CLI (`aws`) is not on PATH; install it with `python3 -m pip install awscli`');
      ctx.skip();
    }
    expect((await cli.run(['setup', '--queue', 'env-q', '--table', 'env-ledger', '--bucket', 'env-bucket'])).code).toBe(0);
    // AWS CLI v1 sends `sqs` to its own *.queue.amazonaws.com name unless --endpoint-url is given (v2 reads the variable).
    const v1 = spawnSync('aws', ['--version'], { encoding: 'utf8' }).stdout.startsWith('aws-cli/1.');
    const sqs = v1 ? '--endpoint-url "$AWS_ENDPOINT_URL"' : '';
    const ok = sh(
      `set -e; eval "$(${node} ${bin} local env)"; aws sqs list-queues ${sqs}; aws s3 ls; aws dynamodb list-tables; aws sns list-topics`,
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/env-q/);
    expect(ok.stdout).toMatch(/env-bucket/);
    expect(ok.stdout).toMatch(/env-ledger/);

    const env = JSON.parse((await cli.run(['local', 'env', '--json'])).stdout) as Record<string, string>;
    const wrong =
      `export AWS_ENDPOINT_URL=${env.AWS_ENDPOINT_URL} AWS_DEFAULT_REGION=us-east-1` +
      ` AWS_ACCESS_KEY_ID=${env.AWS_ACCESS_KEY_ID}` +
      ` AWS_SECRET_ACCESS_KEY=${'w'.repeat(40)} AWS_MAX_ATTEMPTS=1;`;
    const expected: [string, RegExp][] = [
      [`aws sqs list-queues --endpoint-url ${env.AWS_ENDPOINT_URL}`, /SignatureDoesNotMatch/],
      ['aws sns list-topics', /SignatureDoesNotMatch/],
      ['aws s3 ls', /SignatureDoesNotMatch/],
      ['aws dynamodb list-tables', /InvalidSignatureException/],
    ];
    for (const [command, error] of expected) {
      const r = sh(`${wrong} ${command}`);
      expect(r.code, command).not.toBe(0);
      expect(r.stderr, command).toMatch(error);
    }
  }, 300_000); // ten AWS CLI runs, each a Python start-up: slow on a busy machine, never a measure

  it('holds the AWS CLI to what AWS checks: a region AWS does not have, a queue of another region, an expired presigned URL', async (ctx) => {
    if (!hasAws) {
      console.log('skipped: the AWS CLI (`aws`) is not on PATH; install it with `python3 -m pip install awscli`');
      ctx.skip();
    }
    expect((await cli.run(['setup', '--queue', 'scope-q', '--bucket', 'scope-bucket'])).code).toBe(0);
    const env = `eval "$(${node} ${bin} local env)"; export AWS_MAX_ATTEMPTS=1;`;
    const sqs = `--endpoint-url "$AWS_ENDPOINT_URL"`;
    const nowhere = sh(`${env} aws sqs list-queues ${sqs} --region xx-nowhere-9`);
    expect(nowhere.code).not.toBe(0);
    expect(nowhere.stderr).toMatch(/SignatureDoesNotMatch.*Credential should be scoped to a valid region, not 'xx-nowhere-9'/);

    // The queue was made in us-east-1 (its URL says so); a CLI in eu-west-1 cannot send to it.
    const url = sh(`${env} aws sqs get-queue-url ${sqs} --queue-name scope-q --query QueueUrl --output text`).stdout.trim();
    expect(url).toMatch(/^http:\/\/sqs\.us-east-1\./);
    const away = sh(`${env} aws sqs send-message ${sqs} --region eu-west-1 --queue-url ${url} --message-body away`);
    expect(away.stderr).toMatch(/Credential should be scoped to region 'us-east-1' \(the region of its QueueUrl\), not 'eu-west-1'/);
    const depth = sh(
      `${env} aws sqs get-queue-attributes ${sqs} --queue-url ${url} --attribute-names ApproximateNumberOfMessages --output text`,
    );
    expect(depth.stdout).toBe('ATTRIBUTES\t0\n');

    // AWS CLI v1 presigns S3 with Signature Version 2 unless told otherwise; the local AWS takes version 4 only.
    writeFileSync(join(cli.home, 'aws-config'), '[default]\ns3 =\n  signature_version = s3v4\n');
    const presigned = sh(
      `${env} echo hi > f.txt && aws s3 cp f.txt s3://scope-bucket/f.txt >/dev/null && AWS_CONFIG_FILE=aws-config aws s3 presign s3://scope-bucket/f.txt --expires-in 8`,
    );
    expect(presigned.code).toBe(0);
    const link = presigned.stdout.trim();
    expect(await (await fetch(link)).text()).toBe('hi\n');
    await new Promise((r) => setTimeout(r, 9_000)); // past the 8 seconds it was signed for (its date has whole seconds)
    const late = await fetch(link);
    expect(late.status).toBe(403);
    expect(await late.text()).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
  }, 300_000);

  it('makes an open state dir private and says so on stderr', async () => {
    const loose = newHome();
    try {
      mkdirSync(join(loose.home, 'local'), { recursive: true });
      writeFileSync(join(loose.home, 'local', 'old.log'), 'x');
      chmodSync(join(loose.home, 'local', 'old.log'), 0o644);
      chmodSync(join(loose.home, 'local'), 0o755);
      chmodSync(loose.home, 0o755);
      const r = await loose.run(['local', 'start']);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`^note: made ${loose.home} private to you \\(3 entries were readable by other users\\)$`, 'm'));
      expect(statSync(loose.home).mode & 0o777).toBe(0o700);
      expect(statSync(join(loose.home, 'local', 'old.log')).mode & 0o777).toBe(0o600);
    } finally {
      await loose.run(['local', 'stop']);
      await loose.cleanup();
    }
  });
});
