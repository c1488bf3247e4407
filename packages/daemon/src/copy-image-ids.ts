import { createHash } from 'node:crypto';
import { isUnverifiedCopy, NotFoundError, type CloudAdapter } from '@glint/cloud-adapters';

/**
 * The id the `n`th image of a copy to one destination gets: the job's own id first, then ids
 * derived from it. Glance never gives a deleted image's id again, so an attempt after a crash
 * cannot reuse the id of the half-made copy it removed; deriving the next ones keeps them known to
 * every later attempt, whichever daemon runs it.
 */
export function copyImageId(jobImageId: string, n: number): string {
  if (n === 0) return jobImageId;
  const hex = createHash('sha256').update(`${jobImageId}/${n}`).digest('hex');
  // Laid out as a name-based (version 5, RFC 4122 variant) UUID, which is what Glance expects.
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `5${hex.slice(13, 16)}`,
    `${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}

/**
 * Removes what earlier starts of the job left on the destination (a copy not active, or active but
 * never verified, is half-made)
 * and returns the id for this start's copy: the first of the sequence not in use and not given to
 * an earlier start, whose image may be gone but whose id is spent. `earlierStarts` counts the
 * starts before this one, crashed ones included. An adapter that resumes uploads keeps the job's
 * own id and what was made under it, for this start to carry on from.
 */
export async function clearEarlierCopies(
  adapter: CloudAdapter,
  jobImageId: string,
  earlierStarts: number,
): Promise<string> {
  if (adapter.resumableUploads) return jobImageId;
  for (let n = 0; ; n++) {
    const id = copyImageId(jobImageId, n);
    const image = await adapter.getImage(id).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (!image) {
      if (n >= earlierStarts) return id;
      continue;
    }
    // An active one is a finished copy, the engine finds it by name and content and keeps it;
    // unless it is still provisional (hidden, never verified): it is made again, never shown.
    if (image.status !== 'active' || isUnverifiedCopy(image)) await adapter.deleteImage(id);
  }
}

/**
 * The id for a copy to stream after the destination's cloud turned down making it itself: the
 * first free one after `spent`, which that attempt may have used and Glance will not give again.
 */
export async function nextCopyImageId(
  adapter: CloudAdapter,
  jobImageId: string,
  spent: string,
): Promise<string> {
  if (adapter.resumableUploads) return spent;
  let n = 0;
  while (copyImageId(jobImageId, n) !== spent)
    if (++n > 10_000) throw new Error(`${spent} is not one of the ids of copy ${jobImageId}`);
  return clearEarlierCopies(adapter, jobImageId, n + 1);
}
