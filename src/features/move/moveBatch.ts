/**
 * One received batch of a manual move, in the order that keeps every message somewhere:
 * deliver, record in the journal (on disk), and only then delete from the source. And,
 * at the end of a run, the left-behind messages made visible again.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { entryBatches } from '../../core/batching.js';
import type { ManualMoveParams, ManualOutcome } from './manualMove.js';

/** What a batch changes in its run: the outcome, and the messages it leaves on the source. */
export interface BatchRun {
  out: ManualOutcome;
  /** Every message the run is done with, by source id, and its newest receipt handle while it is still on the source. */
  handled: Map<string, string | undefined>;
  /** Leaves a message on the source (hidden until the end); `blocks`: later messages of its FIFO group stay behind it. */
  hold(m: Message, blocks?: boolean): void;
}

/** Sends one received batch, records it, deletes what is safely at the destination. */
export async function moveBatch(p: ManualMoveParams, batch: Message[], run: BatchRun): Promise<void> {
  const safe = await deliverAndRecord(p, batch, run);
  if (p.copy) {
    // A copy leaves the source as it was: delivered messages are released with the rest at the end.
    for (const m of safe) run.hold(m, false);
    return;
  }
  for (const chunk of entryBatches(safe)) await deleteDelivered(p, chunk, run);
}

/** Delivers what no earlier run did and writes it down; returns the messages safely at the destination. */
async function deliverAndRecord(p: ManualMoveParams, batch: Message[], { out, hold }: BatchRun): Promise<Message[]> {
  // A message a killed run already sent is deleted without sending it again (a copy keeps no journal).
  await p.journal?.refresh();
  const sentBefore = p.journal ? batch.filter((m) => p.journal!.has(m.MessageId ?? '')) : [];
  const toSend = batch.filter((m) => !sentBefore.includes(m));
  // Written down the moment SQS accepts each batch, on disk before anything is deleted:
  // a crash in between is caught by the next run.
  let journalError: unknown;
  const onSent = (ids: string[]) => {
    if (!p.journal || journalError) return;
    try {
      p.journal.append(ids, p.destinationName);
    } catch (e: unknown) {
      journalError = e;
    }
  };
  const sent = await p.deliver(toSend, onSent);
  const byId = new Map(toSend.map((m) => [m.MessageId ?? '', m]));
  for (const f of sent.failed) {
    out.failed.push({ ...f, stage: 'send' });
    hold(byId.get(f.messageId)!);
  }
  for (const id of sent.skipped) {
    out.heldBack++;
    hold(byId.get(id)!);
  }
  if (sent.stoppedBy) out.stoppedBy = sent.stoppedBy;
  const sentIds = new Set(sent.sentIds);
  try {
    if (journalError) throw journalError;
    await p.journal?.flush();
  } catch (e: unknown) {
    // Deleting is still right (the messages are at the destination); only the crash cover is gone.
    out.stoppedBy = `the ${p.words.journal} could not be written (${(e as Error).message ?? String(e)})`;
  }
  out.moved += sent.sentIds.length;
  out.recovered += sentBefore.length;
  return [...sentBefore, ...toSend.filter((m) => sentIds.has(m.MessageId ?? ''))];
}

/** Deletes one chunk (at most 10) of delivered messages; one that stays is a failure, held. */
async function deleteDelivered(p: ManualMoveParams, chunk: Message[], { out, handled, hold }: BatchRun): Promise<void> {
  let deleted: Set<string>;
  let failures: { id: string; code: string; message: string }[];
  try {
    const res = await p.steady.deleteBatch(
      p.source.url,
      chunk.map((m, j) => ({ id: String(j), receiptHandle: m.ReceiptHandle ?? '' })),
    );
    deleted = new Set(res.successful);
    failures = res.failed;
  } catch (e: unknown) {
    deleted = new Set();
    failures = chunk.map((_, j) => ({ id: String(j), code: (e as Error).name || 'Error', message: (e as Error).message ?? String(e) }));
  }
  chunk.forEach((m, j) => {
    if (deleted.has(String(j))) {
      handled.set(m.MessageId ?? '', undefined);
      return;
    }
    const f = failures.find((x) => x.id === String(j));
    out.failed.push({
      messageId: m.MessageId ?? '',
      stage: 'delete',
      code: f?.code ?? 'Unknown',
      reason: `at the destination, but ${p.words.stillThere} (${f?.message || f?.code || 'delete failed'})${p.journal ? '; the next run deletes it without sending it again' : ''}`,
    });
    hold(m);
  });
}

/** Makes every left-behind message visible again at once; returns how many could not be. */
export async function release(p: ManualMoveParams, handled: Map<string, string | undefined>): Promise<number> {
  const left = [...handled.values()].filter((h): h is string => h !== undefined);
  let failed = 0;
  for (const chunk of entryBatches(left)) {
    try {
      const res = await p.steady.changeVisibilityBatch(
        p.source.url,
        chunk.map((h, j) => ({ id: String(j), receiptHandle: h, visibilityTimeout: 0 })),
      );
      failed += res.failed.length;
    } catch {
      failed += chunk.length; // they come back by themselves when their visibility timeout ends
    }
  }
  return failed;
}
