/**
 * Changes to fauxqs's persistence in the embedded local AWS, applied at the emulator
 * (never worked around in our pipeline, which must stay correct for real SQS): a fix for
 * a bug that would lose messages, a durability setting that costs an fsync per message,
 * and the index without which a restart, a purge and a queue deletion read every stored
 * message once per queue. Each patch checks that what it changes is still there, so a fauxqs that
 * changed is left alone.
 */

let applied = false;

interface PersistenceLike {
  db: { prepare(sql: string): { run(...args: unknown[]): unknown }; exec(sql: string): void };
  updateMessageReady(messageId: string): void;
  prepareStatements(): unknown;
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
  if (!proto) return;
  tunePersistence(proto);
  if (!/null, null, null, null/.test(String(proto.updateMessageReady))) return;
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

/**
 * Two settings on the database fauxqs has just opened (the hook is `prepareStatements`,
 * which fauxqs's constructor calls right after it creates its tables); if a later fauxqs
 * drops that method, its own settings stay.
 *
 * fauxqs writes every receive and every delete through to SQLite, one transaction each,
 * in WAL mode with SQLite's default `synchronous = FULL`: an fsync per message receive and
 * per delete, on the one thread that serves SQS, SNS, S3 and DynamoDB. Measured with the
 * ledger on (bench/process.mjs, profile of the daemon), a third of that thread's time was
 * spent blocked in those fsyncs. `synchronous = NORMAL` is what SQLite documents for WAL:
 * a commit is written to the WAL (the OS has it) before it returns, so a crash or `kill -9`
 * of the daemon loses nothing; only a power loss or kernel crash can lose the last
 * commits, the same guarantee dynalite's LevelDB gives (it does not sync either).
 *
 * fauxqs 2.4.1 keys `sqs_messages` by message id only. At start it loads each queue's
 * messages with `WHERE queue_name = ?`, PurgeQueue deletes with the same clause, and
 * DeleteQueue cascades through it: without an index on `queue_name` each of those reads
 * the whole table, so a restart cost queues x stored messages. Measured on a state dir of
 * 282 queues and 2.8 million messages: the daemon took 280 s to listen, so every command
 * gave up on it. The index (built once, at the first start that lacks it) makes that a
 * read of each queue's own rows.
 */
function tunePersistence(proto: PersistenceLike): void {
  const prepare = proto.prepareStatements;
  if (typeof prepare !== 'function') return;
  proto.prepareStatements = function prepareStatements(this: PersistenceLike) {
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec('CREATE INDEX IF NOT EXISTS sqsops_sqs_messages_by_queue ON sqs_messages (queue_name)');
    return prepare.call(this);
  };
}

/** What SQS accepts in a message body: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF. */
export const SQS_INVALID_BODY_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * fauxqs 2.4.1 checks SendMessage and SendMessageBatch bodies with a pattern that lacks the
 * `u` flag, so it reads a character above U+FFFF (an emoji) as two lone surrogates and
 * answers InvalidMessageContents, which SQS does not. Its handlers share one RegExp object,
 * which is recompiled in place to SQS's own set. Applies only while fauxqs still rejects
 * such a character; returns whether it did.
 */
export async function applyFauxqsUnicodeFix(): Promise<boolean> {
  const types = (await import(new URL('./sqs/sqsTypes.js', import.meta.resolve('fauxqs')).href)) as { INVALID_MESSAGE_BODY_CHAR?: unknown };
  const check = types.INVALID_MESSAGE_BODY_CHAR;
  if (!(check instanceof RegExp) || !check.test('\u{1F600}')) return false;
  // compile() changes this very object, which every fauxqs handler imported.
  check.compile(SQS_INVALID_BODY_CHAR.source, SQS_INVALID_BODY_CHAR.flags);
  return true;
}
