/**
 * `produce --from-file` as a user runs it: a file of ten records with one that SQS would
 * refuse sends nothing, exits 2, and names the file, the line and the rule; a file of valid
 * edge cases goes whole.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newHome, parseJson, startedLocalSqs, type CliHome } from '../helpers/cli.js';
import { drainAll, essence, urlOf } from '../helpers/messages.js';
import { startFaultProxy } from '../helpers/faultProxy.js';
import type { ProduceResult } from '../../src/features/produce/produce.js';

const MiB = 1024 * 1024;
let cli: CliHome;
let sqs: SQSClient;
beforeAll(async () => {
  cli = newHome();
  sqs = await startedLocalSqs(cli);
  expect((await cli.run(['setup', '--queue', 'rules', 'rules.fifo', '--no-dlq'])).code).toBe(0);
});
afterAll(async () => {
  sqs.destroy();
  await cli.cleanup();
});

type Fields = Record<string, unknown>;
const record = (i: number, fields: Fields = {}) =>
  JSON.stringify({ format: 'sqsops.message/1', messageId: `m${i}`, body: `{"n":${i}}`, ...fields });
/** Ten records, the seventh replaced by `bad`. */
const tenWith = (bad: Fields) => Array.from({ length: 10 }, (_, i) => record(i + 1, i === 6 ? bad : {})).join('\n');
const binary = (value: string) => ({ attributes: { sig: { DataType: 'Binary', BinaryValue: value } } });

describe('an import file with one record SQS would refuse', () => {
  it.each<[string, string, Fields, RegExp]>([
    ['a Binary attribute that is not strict base64', 'rules', binary('!!!not*base64@@'), /attribute "sig": BinaryValue is not base64/],
    [
      'a base64-utf16le body that is not base64',
      'rules',
      { body: 'not base64!', bodyEncoding: 'base64-utf16le' },
      /"body" is not base64 \(bodyEncoding base64-utf16le/,
    ],
    [
      'body plus attributes over 1 MiB',
      'rules',
      { body: 'x'.repeat(MiB - 100), attributes: { pad: { DataType: 'String', StringValue: 'y'.repeat(200) } } },
      /body plus attributes is 1048685 bytes, over SQS's 1 MiB limit/,
    ],
    ['a control character', 'rules', { body: 'a\u0001b' }, /body has the control character U\+0001 at character 2; SQS accepts only #x9/],
    ['a lone surrogate', 'rules', { body: 'ab\uD800' }, /body has a lone UTF-16 surrogate U\+D800 at character 3; SQS accepts only/],
    ['an empty body', 'rules', { body: '' }, /body is empty; SQS needs at least 1 character/],
    [
      'an attribute name SQS refuses',
      'rules',
      { attributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } },
      /attribute "AWS\.x": SQS takes names/,
    ],
    ['an empty FIFO group id', 'rules.fifo', { groupId: '' }, /FIFO: group id is empty; SQS needs 1-128 characters/],
    [
      'a FIFO group id over 128 characters',
      'rules.fifo',
      { groupId: 'g'.repeat(129) },
      /FIFO: group id is 129 characters; SQS allows 1-128/,
    ],
    ['a FIFO group id with a space', 'rules.fifo', { groupId: 'two words' }, /FIFO: group id has " " \(U\+0020\) at character 4/],
    ['a FIFO deduplication id outside ASCII', 'rules.fifo', { groupId: 'g', deduplicationId: 'café' }, /FIFO: deduplication id has "é"/],
  ])('%s: exit 2, file:line and the rule, nothing sent', async (what, queue, bad, rule) => {
    const file = join(cli.home, `${what.replace(/\W+/g, '-')}.ndjson`);
    writeFileSync(file, `${tenWith(bad)}\n`);
    const r = await cli.run(['produce', '--queue', queue, '--from-file', file]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7: ${rule.source}`, 'm'));
    expect(r.stderr).toMatch(/^hint: .*nothing was sent/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await drainAll(sqs, await urlOf(sqs, queue))).toEqual([]);
  });

  it('names a plain-body line the same way (NDJSON of bodies)', async () => {
    const file = join(cli.home, 'plain.ndjson');
    const lines = Array.from({ length: 10 }, (_, i) => (i === 3 ? '"tab\\tok but bell\\u0007 not"' : JSON.stringify({ n: i })));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await cli.run(['produce', '--queue', 'rules', '--from-file', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*plain\.ndjson:4: body has the control character U\+0007 at character 16/m);
    expect(await drainAll(sqs, await urlOf(sqs, 'rules'))).toEqual([]);
  });
});

describe('an import file of valid edge cases', () => {
  it('goes whole: all allowed whitespace, a body of exactly 1 MiB, 10 attributes, a 128-character group id of punctuation', async () => {
    const punct = `!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`;
    const group = punct.repeat(4).slice(0, 128);
    const tenAttributes = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`a${i}`, { DataType: 'Number.int', StringValue: String(i) }]),
    );
    const lines = [
      record(1, { body: 'tab\there\r\nand U+E000 \uE000 and U+FFFD \uFFFD', groupId: group }),
      record(2, { body: 'x'.repeat(MiB), groupId: 'big' }),
      record(3, { attributes: tenAttributes, groupId: 'g' }),
      record(4, { ...binary('AP8H'), groupId: 'g', deduplicationId: 'd'.repeat(128) }),
    ];
    const file = join(cli.home, 'edges.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await cli.run(['produce', '--queue', 'rules.fifo', '--from-file', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson<ProduceResult>(r.stdout)).toMatchObject({ total: 4, sent: 4, failed: [], unconfirmed: [], payloadsLeft: [] });
    const got = (await drainAll(sqs, await urlOf(sqs, 'rules.fifo'))).map(essence);
    expect(got.map((m) => m.group).sort()).toEqual(['big', 'g', 'g', group].sort());
    expect(got.find((m) => m.group === group)?.body).toBe('tab\there\r\nand U+E000 \uE000 and U+FFFD \uFFFD');
  });
});

describe('a send the server may have carried out', () => {
  it('is unconfirmed in the table and the JSON, with what a resend means, and the exit code is 1', async () => {
    const env = parseJson<Record<string, string>>((await cli.run(['local', 'env', '--json'])).stdout);
    const proxy = await startFaultProxy(env.AWS_ENDPOINT_URL!);
    proxy.addRule({ target: 'AmazonSQS.SendMessageBatch', times: 1000, kind: 'status500' });
    const file = join(cli.home, 'unconfirmed.ndjson');
    writeFileSync(file, `${tenWith({})}\n`);
    const viaProxy = {
      env: { AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY, AWS_REGION: 'us-east-1' },
    };
    try {
      const args = ['produce', '--queue', 'rules', '--from-file', file, '--endpoint-url', proxy.endpoint];
      const r = await cli.run(args, viaProxy);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/│ unconfirmed\s*│ 10\s*│/);
      expect(r.stdout).toMatch(/unconfirmed\.ndjson:1\s*│ InternalError\s*│/);
      expect(r.stderr).toMatch(/^error: 10 of 10 messages are unconfirmed: the server may have stored them$/m);
      expect(r.stderr).toMatch(/^hint: .*standard queue: .*resending it may deliver it twice$/m);
      const j = await cli.run([...args, '--json'], viaProxy);
      expect(j.code).toBe(1);
      const result = parseJson<ProduceResult>(j.stdout);
      expect(result).toMatchObject({ total: 10, sent: 0, failed: [], payloadsLeft: [] });
      expect(result.unconfirmed).toHaveLength(10);
    } finally {
      await proxy.close();
    }
  });
});
