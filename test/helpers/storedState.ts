/** A large stored state for the local AWS, made in seconds by writing where fauxqs keeps its messages. */
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { localPaths } from '../../src/local/paths.js';

/**
 * Adds `copies` copies of one stored message to a stopped local AWS's database (the state
 * must hold at least one message): what a long `produce` would have left, without sending it.
 * Their ids are `<idPrefix>-1` ...: another prefix for a second batch.
 */
export function storeCopies(home: string, copies: number, idPrefix = 'copy'): void {
  const db = new DatabaseSync(join(localPaths(home).data, 'fauxqs', 'fauxqs.db'));
  try {
    const columns =
      'queue_name, body, md5_of_body, message_attributes, md5_of_message_attributes, sent_timestamp, approximate_receive_count';
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${copies})
      INSERT INTO sqs_messages (message_id, ${columns}) SELECT '${idPrefix}-' || i, ${columns} FROM n, (SELECT * FROM sqs_messages LIMIT 1)`);
  } finally {
    db.close();
  }
}
