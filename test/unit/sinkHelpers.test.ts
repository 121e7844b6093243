import { describe, expect, it } from 'vitest';
import { createTableSql, mergeSql, quoteTable, ROWS_PER_STATEMENT } from '../../src/features/process/sinks/mssql.js';
import { mongoDocument } from '../../src/features/process/sinks/mongodb.js';
import { lastPerKey } from '../../src/pipeline/sink.js';
import { objectKeyFor } from '../../src/features/process/sinks/s3.js';

const msg = (key: string, n: number) => ({
  key,
  messageId: `m${n}`,
  queue: 'q',
  body: { n },
  raw: '{}',
  receiveCount: 1,
  sentAt: '2026-03-04T05:06:07.000Z',
});

describe('the mssql sink statements', () => {
  it('brackets [schema.]name and refuses anything else', () => {
    expect(quoteTable('dbo.msgs').quoted).toBe('[dbo].[msgs]');
    expect(quoteTable('msgs').quoted).toBe('[dbo].[msgs]');
    expect(quoteTable('[ops].[msgs]').quoted).toBe('[ops].[msgs]');
    for (const bad of ['a.b.c', 'x]; DROP TABLE y --', "t'", '']) expect(() => quoteTable(bad)).toThrow(/is not a table name/);
  });

  it('creates the table only when missing, keyed by the message key', () => {
    const sql = createTableSql('dbo.msgs');
    expect(sql).toMatch(/^IF OBJECT_ID\(N'dbo\.msgs', N'U'\) IS NULL\nCREATE TABLE \[dbo\]\.\[msgs\]/);
    expect(sql).toMatch(/message_key NVARCHAR\(512\) NOT NULL CONSTRAINT \[PK_dbo_msgs\] PRIMARY KEY/);
  });

  it('merges with HOLDLOCK and parameters only, under the 2,100-parameter cap', () => {
    const sql = mergeSql('dbo.msgs', 2);
    expect(sql).toMatch(/^MERGE \[dbo\]\.\[msgs\] WITH \(HOLDLOCK\) AS t/);
    expect(sql).toContain('(@k1, @m1, @q1, @b1, @r1, @s1)');
    expect(ROWS_PER_STATEMENT * 6).toBeLessThanOrEqual(2100);
  });
});

describe('documents and names', () => {
  it('keeps the last copy of a key', () => {
    expect(lastPerKey([msg('a', 1), msg('b', 2), msg('a', 3)]).map((m) => m.messageId)).toEqual(['m3', 'm2']);
  });

  it('builds a MongoDB document keyed by _id', () => {
    expect(mongoDocument(msg('k', 1), new Date(0))).toMatchObject({
      _id: 'k',
      messageId: 'm1',
      body: { n: 1 },
      sentAt: new Date('2026-03-04T05:06:07.000Z'),
    });
  });

  it('names S3 objects by the sent date and the encoded key', () => {
    expect(objectKeyFor('messages/', msg('a/b#1', 1))).toBe('messages/2026/03/04/a%2Fb%231.json');
  });
});
