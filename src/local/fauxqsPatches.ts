/**
 * Fixes for fauxqs bugs that would lose messages in the embedded local AWS, applied
 * at the emulator (never worked around in our pipeline, which must stay correct for
 * real SQS). Each patch checks it is still needed, so a fixed fauxqs is left alone.
 */

let applied = false;

interface PersistenceLike {
  db: { prepare(sql: string): { run(...args: unknown[]): unknown } };
  updateMessageReady(messageId: string): void;
}

/**
 * fauxqs 2.4.1, persistence on: ChangeMessageVisibility(0) writes NULL into the NOT NULL
 * `approximate_receive_count` column. The SQLite error escapes after the message was
 * already taken out of flight, so it vanishes from the queue until a restart, and the
 * caller gets a 500. The fix keeps the receive count and clears only the receipt.
 */
export async function applyFauxqsPatches(): Promise<void> {
  if (applied) return;
  applied = true;
  const entry = import.meta.resolve('fauxqs');
  const mod = (await import(new URL('./persistence.js', entry).href)) as { PersistenceManager?: { prototype: PersistenceLike } };
  const proto = mod.PersistenceManager?.prototype;
  if (!proto || !/null, null, null, null/.test(String(proto.updateMessageReady))) return;
  const statements = new WeakMap<object, { run(...args: unknown[]): unknown }>();
  proto.updateMessageReady = function updateMessageReady(this: PersistenceLike, messageId: string) {
    let stmt = statements.get(this.db);
    if (!stmt) {
      stmt = this.db.prepare('UPDATE sqs_messages SET receipt_handle = NULL, visibility_deadline = NULL WHERE message_id = ?');
      statements.set(this.db, stmt);
    }
    stmt.run(messageId);
  };
}
