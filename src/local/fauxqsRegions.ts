/**
 * fauxqs puts the region a queue was made in into its URL and ARN, and the gate holds each
 * request to that region (AWS answers a queue URL of another region with a scope error).
 * Its ListQueues, though, lists the queues of every region, so a tool that lists and then
 * reads each queue would be refused on the ones from elsewhere. AWS lists only the region
 * the request is signed for; so does the local AWS, from the region the gate verified.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The signing region of the request being served, set by the gate around fauxqs's handling. */
export const signedRegion = new AsyncLocalStorage<string>();

interface QueueLike {
  name: string;
  arn: string;
}
interface SqsStoreLike {
  listQueues(prefix?: string, maxResults?: number, nextToken?: string): { queues: QueueLike[]; nextToken?: string };
}

let applied = false;

const regionOf = (arn: string) => arn.split(':')[3];

export async function applyRegionalListQueues(): Promise<void> {
  if (applied) return;
  applied = true;
  const entry = import.meta.resolve('fauxqs');
  const mod = (await import(new URL('./sqs/sqsStore.js', entry).href)) as { SqsStore?: { prototype: SqsStoreLike } };
  const proto = mod.SqsStore?.prototype;
  // A fauxqs that no longer has this method (or already filters) is left alone.
  if (!proto?.listQueues || /region/i.test(String(proto.listQueues))) return;
  const original = proto.listQueues;
  proto.listQueues = function listQueues(this: SqsStoreLike, prefix, maxResults, nextToken) {
    const region = signedRegion.getStore();
    if (region === undefined) return original.call(this, prefix, maxResults, nextToken);
    // Filter before paging, so a page is full and its token names the last queue of this region.
    const all = original.call(this, prefix, undefined, nextToken).queues.filter((q) => regionOf(q.arn) === region);
    if (!maxResults || all.length <= maxResults) return { queues: all };
    const page = all.slice(0, maxResults);
    return { queues: page, nextToken: page.at(-1)?.name };
  };
}
