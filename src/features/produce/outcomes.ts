/**
 * Where each message of a produce run ends: sent (SQS confirmed it), failed (it surely is not
 * on the queue: never sent, or refused), or unconfirmed (a 5xx, a reset or a timeout once the
 * request was written: it may be on the queue). A large payload's S3 object is deleted when
 * its message surely failed; every object left behind is listed.
 */
import type { PayloadStore } from '../../aws/payloads.js';
import { redact } from '../../core/redact.js';

export interface FailedSend {
  /** Where the message came from ("orders.ndjson:12", "#12"). */
  source: string;
  code: string;
  reason: string;
}

/** A message whose send may have been carried out: the server got the request and gave no answer that says. */
export type UnconfirmedSend = FailedSend;

/** A large-payload object still in S3 though its message was not confirmed sent. */
export interface LeftPayload {
  source: string;
  bucket: string;
  key: string;
  reason: string;
}

/** What outcomes needs of an entry. */
export interface Tracked {
  source: string;
  /** The large payload's object, when the body went to S3. */
  stored?: { bucket: string; key: string };
  /** Set once any attempt that carried it may have reached the server. */
  maybeDelivered?: { code: string; reason: string };
}

export class Outcomes {
  sent = 0;
  readonly failed: FailedSend[] = [];
  readonly unconfirmed: UnconfirmedSend[] = [];
  readonly payloadsLeft: LeftPayload[] = [];
  private readonly toDelete: { source: string; stored: { bucket: string; key: string } }[] = [];

  /** An entry that was not confirmed sent: unconfirmed if any attempt may have reached the server, else failed. */
  settle(entry: Tracked, code: string, reason: string): void {
    if (entry.maybeDelivered) {
      const why = entry.maybeDelivered;
      this.unconfirmed.push({ source: entry.source, code: why.code, reason: why.reason });
      if (entry.stored) this.payloadsLeft.push({ source: entry.source, ...entry.stored, reason: 'its message may be on the queue' });
      return;
    }
    this.failed.push({ source: entry.source, code, reason });
    if (entry.stored) this.toDelete.push({ source: entry.source, stored: entry.stored });
  }

  /** Deletes the objects of messages that surely failed; one that cannot be deleted is listed. */
  async cleanUp(store: PayloadStore | undefined): Promise<void> {
    for (const { source, stored } of this.toDelete.splice(0)) {
      try {
        if (!store) throw new Error('no payload store');
        await store.delete({ ...stored, size: -1 });
      } catch (e: unknown) {
        const reason = `not deleted: ${redact(e instanceof Error ? e.message : String(e))}`;
        this.payloadsLeft.push({ source, ...stored, reason });
      }
    }
  }
}

/** What a resend of the unconfirmed messages does on this queue. */
export function resendNote(fifo: boolean, dedupMode: string): string {
  if (!fifo) {
    return 'standard queue: an unconfirmed message may already be on the queue, so resending it may deliver it twice';
  }
  if (dedupMode === 'random') {
    return 'FIFO queue with --dedup-id random: a resend gets a new deduplication id, so it may deliver a message twice';
  }
  return 'FIFO queue: a resend with the same deduplication id within 5 minutes of the first send is dropped by SQS, so resending these is safe in that window';
}
