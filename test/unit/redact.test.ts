import { describe, expect, it } from 'vitest';
import { addEnvSecrets, addSecret, redact, redactDeep, redactUrl, secretsOf } from '../../src/core/redact.js';
import { SECRET_SHAPES } from '../helpers/secretShapes.js';

describe('redact', () => {
  it.each(SECRET_SHAPES)('masks the secret of $name', ({ text, secret }) => {
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).toContain('***');
  });

  it('keeps what is needed to diagnose: the user, the hosts, the other parameters', () => {
    expect(redact('mongodb://app:Zq9-pw@h1:1,h2:2/db?replicaSet=rs0')).toBe('mongodb://app:***@h1:1,h2:2/db?replicaSet=rs0');
    expect(redact('Server=h;Pwd={a;b};User Id=u')).toBe('Server=h;Pwd=***;User Id=u');
    expect(redact('mssql://u:pw@h/db')).toBe('mssql://u:***@h/db');
    expect(redact('https://b.test/o?X-Amz-Signature=abc&v=1')).toBe('https://b.test/o?X-Amz-Signature=***&v=1');
  });

  it('leaves ordinary text alone', () => {
    const ordinary = ['processed 10 messages in 2s', 'key=order-1 action=claim', 'Basic validation failed', 'schema: /id must be string'];
    for (const text of ordinary) {
      expect(redact(text)).toBe(text);
    }
  });

  it('replaces registered secrets wherever they occur, URL-encoded too', () => {
    addSecret('reg1st3red/Value');
    expect(redact('echo reg1st3red/Value and reg1st3red%2FValue')).toBe('echo *** and ***');
  });

  it('registers AWS keys and connection passwords from the environment', () => {
    addEnvSecrets({
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG',
      AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjE',
      SQSOPS_MONGODB_URL: 'mongodb://u:envPassw0rd@h1,h2/db',
    });
    expect(redact('key wJalrXUtnFEMI/K7MDENG token IQoJb3JpZ2luX2VjE pw envPassw0rd')).toBe('key *** token *** pw ***');
  });

  it('finds the secrets of a string by shape, without parsing it', () => {
    expect(secretsOf('Server=h;Password="a;bc";User Id=u')).toContain('a;bc');
    expect(secretsOf('mssql://u:p%40ss@h/db')).toEqual(expect.arrayContaining(['p%40ss', 'p@ss']));
    expect(secretsOf('mongodb://u:rs-pass@h1:1,h2:2/db')).toContain('rs-pass');
    const found = secretsOf('https://a.test/x?token=s3cr3t', { Authorization: 'Bearer abcdef123' });
    expect(found).toEqual(expect.arrayContaining(['s3cr3t', 'abcdef123', 'Bearer abcdef123']));
  });

  it('redactUrl masks every query value and the user info, and drops the fragment', () => {
    const url = 'https://user:pw@a.test/f.bin?X-Amz-Signature=abc&v=1#frag';
    expect(redactUrl(url)).toBe('https://***:***@a.test/f.bin?X-Amz-Signature=***&v=***');
    expect(redactUrl('https://a.test/f.bin')).toBe('https://a.test/f.bin');
    expect(redactUrl('htps://u:p@x/y?token=1')).not.toMatch(/:p@|token=1/);
  });

  it('redactDeep keeps the structure and masks every string', () => {
    const value = { n: 1, error: 'mongodb://u:deepPw@h1,h2/db', list: ['Password=x1y2'] };
    expect(redactDeep(value)).toEqual({ n: 1, error: 'mongodb://u:***@h1,h2/db', list: ['Password=***'] });
  });
});
