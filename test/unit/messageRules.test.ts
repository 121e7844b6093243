import { describe, expect, it } from 'vitest';
import { attributesProblem, bodyProblem, characterProblem, fifoIdProblem, sizeProblem } from '../../src/core/messageRules.js';
import { fifoIds } from '../../src/core/fifoIds.js';

const MiB = 1024 * 1024;

describe('characters SQS accepts', () => {
  it.each([
    ['an emoji (above U+FFFF, a surrogate pair)', 'order 🎉 shipped'],
    ['tab, newline and carriage return', 'a\tb\nc\rd'],
    ['the last BMP characters before the surrogates and after them', '\uD7FF\uE000\uFFFD'],
    ['the highest code point', '\u{10FFFF}'],
    ['accented and CJK text', 'pedido façade 注文'],
  ])('accepts %s', (_what, text) => {
    expect(bodyProblem(text)).toBeUndefined();
  });

  it.each([
    ['a NUL', 'a\u0000b', /the control character U\+0000 at character 2/],
    ['an escape', '\u001b[31m', /the control character U\+001B at character 1/],
    ['a lone high surrogate', 'ab\uD83C', /a lone UTF-16 surrogate U\+D83C at character 3/],
    ['a lone low surrogate', '\uDF89x', /a lone UTF-16 surrogate U\+DF89 at character 1/],
    ['U+FFFE (not a character)', 'x\uFFFE', /U\+FFFE at character 2/],
  ])('refuses %s, naming the code point and where it is', (_what, text, said) => {
    expect(bodyProblem(text)).toMatch(said);
    expect(bodyProblem(text)).toMatch(/SQS accepts only #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF$/);
  });

  it('refuses an empty body', () => {
    expect(bodyProblem('')).toBe('body is empty; SQS needs at least 1 character');
  });

  it('lets a body that goes to S3 hold control characters, but not a lone surrogate (no UTF-8 form)', () => {
    expect(bodyProblem('a\u0001b', { offloaded: true })).toBeUndefined();
    expect(bodyProblem('a\uD800b', { offloaded: true })).toMatch(/lone UTF-16 surrogate U\+D800/);
  });

  it('checks string attribute values with the same rule', () => {
    expect(characterProblem('ok', 'attribute "a"')).toBeUndefined();
    expect(attributesProblem({ note: { DataType: 'String', StringValue: 'x\u0007' } })).toMatch(
      /^attribute "note" has the control character U\+0007/,
    );
  });
});

describe('message attributes', () => {
  const s = (v: string) => ({ DataType: 'String', StringValue: v });
  it('accepts String, Number and Binary values with custom labels', () => {
    expect(
      attributesProblem({
        a: s('x'),
        'b.c_d-e': { DataType: 'Number.int', StringValue: '-12.5e3' },
        bin: { DataType: 'Binary.sig', BinaryValue: new Uint8Array([0, 255]) },
      }),
    ).toBeUndefined();
  });

  it.each([
    [
      'more than 10',
      Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, s('x')])),
      /^11 message attributes; SQS takes at most 10$/,
    ],
    ['a name with a space', { 'bad name': s('x') }, /^attribute "bad name": SQS takes names of 1-256/],
    ['a reserved prefix', { 'AWS.trace': s('x') }, /^attribute "AWS.trace": SQS takes names/],
    ['a double period', { 'a..b': s('x') }, /^attribute "a..b": SQS takes names/],
    ['an unknown type', { a: { DataType: 'Text', StringValue: 'x' } }, /^attribute "a": DataType "Text" is not String, Number or Binary/],
    ['an empty string value', { a: s('') }, /^attribute "a": a String attribute needs a non-empty StringValue$/],
    ['a Number that is not one', { a: { DataType: 'Number', StringValue: 'twelve' } }, /^attribute "a": "twelve" is not a number$/],
    ['an empty Binary value', { a: { DataType: 'Binary', BinaryValue: new Uint8Array() } }, /needs a non-empty BinaryValue$/],
  ])('refuses %s', (_what, attributes, said) => {
    expect(attributesProblem(attributes)).toMatch(said);
  });
});

describe('the 1 MiB limit', () => {
  it('counts body plus every attribute name, type and value', () => {
    const body = 'x'.repeat(MiB - 20);
    expect(sizeProblem(body, undefined)).toBeUndefined();
    expect(sizeProblem(body, { pad: { DataType: 'String', StringValue: 'y'.repeat(20) } })).toBe(
      `body plus attributes is ${MiB - 20 + 3 + 6 + 20} bytes, over SQS's 1 MiB limit`,
    );
    expect(sizeProblem('é'.repeat(MiB / 2 + 1), undefined)).toBe(`body is ${MiB + 2} bytes, over SQS's 1 MiB limit`);
  });
});

describe('FIFO group and deduplication ids', () => {
  it('accepts 1-128 letters, digits and ASCII punctuation', () => {
    expect(fifoIdProblem('group id', 'customer-7')).toBeUndefined();
    expect(fifoIdProblem('group id', `!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`)).toBeUndefined();
    expect(fifoIdProblem('deduplication id', 'd'.repeat(128))).toBeUndefined();
    expect(fifoIdProblem('deduplication id', undefined)).toBeUndefined();
  });

  it.each([
    ['group id', undefined, /^FIFO: no group id; SQS needs a MessageGroupId of 1-128 characters/],
    ['group id', '', /^FIFO: group id is empty; SQS needs 1-128 characters$/],
    ['group id', 'g'.repeat(129), /^FIFO: group id is 129 characters; SQS allows 1-128$/],
    ['group id', 'two words', /^FIFO: group id has " " \(U\+0020\) at character 4; SQS allows letters, digits and ASCII punctuation$/],
    ['deduplication id', 'café', /^FIFO: deduplication id has "é" \(U\+00E9\) at character 4/],
    ['deduplication id', '', /^FIFO: deduplication id is empty/],
  ] as const)('refuses a %s of %j', (kind, id, said) => {
    expect(fifoIdProblem(kind, id)).toMatch(said);
  });

  it('takes the record own ids first, then the body field, then the defaults', () => {
    const body = JSON.stringify({ customer: { id: 'c9' }, orderId: 'o1' });
    expect(fifoIds({ body, groupId: 'g', deduplicationId: 'd' }, { groupBy: 'customer.id', dedupMode: 'orderId' })).toEqual({
      groupId: 'g',
      deduplicationId: 'd',
    });
    expect(fifoIds({ body }, { groupBy: 'customer.id', dedupMode: 'orderId' })).toEqual({ groupId: 'c9', deduplicationId: 'o1' });
    expect(fifoIds({ body }, { dedupMode: 'content' })).toEqual({ groupId: 'sqsops' });
    expect(fifoIds({ body: 'not json' }, { groupBy: 'x', dedupMode: 'hash' }).deduplicationId).toMatch(/^[0-9a-f]{64}$/);
  });
});
