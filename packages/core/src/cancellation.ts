import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Cancelling a job a daemon is running. The API records the request (so a daemon that takes the
 * job up later sees it too) and announces it on a channel every daemon listens to; the one running
 * the job stops its streams and cleans up.
 */

/** How long a cancel request is kept: longer than any job waits for its retry. */
export const CANCEL_REQUEST_TTL_SECONDS = 24 * 60 * 60;

/** The key of a job's cancel request, under Glint's Redis prefix. */
export function cancelRequestKey(queueJobId: string): string {
  return `cancel:${queueJobId}`;
}

/** The channel cancel requests are announced on (the message is the queue job id). */
export function cancelChannel(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}cancel`;
}

/** The reason a job cancelled while queued or running ends with, on its rows and in BullMQ. */
export const CANCELLED_BY_OWNER = 'cancelled by its owner';

/**
 * Asks for queue jobs to stop: each request is kept (a daemon that takes the job up later stops it
 * as it starts) and announced to the daemons, then the jobs still waiting are taken off the queue.
 * Returns the ids taken off, which ended now: marking their rows cancelled is the caller's. A job a
 * worker holds cannot be taken off; the daemon running it stops its streams, removes the half-made
 * copies and marks it cancelled.
 */
export async function requestCancel(
  /** A connection without ioredis's keyPrefix: the request's key is named in full. */
  redis: Redis,
  redisKeyPrefix: string,
  queue: Queue,
  queueJobIds: string[],
  /** Who asked: a user's id, or the daemon's name for what it decides itself. */
  requestedBy: string,
): Promise<string[]> {
  if (queueJobIds.length === 0) return [];
  const requests = redis.multi();
  for (const id of queueJobIds)
    requests
      .set(
        `${redisKeyPrefix}${cancelRequestKey(id)}`,
        requestedBy,
        'EX',
        CANCEL_REQUEST_TTL_SECONDS,
      )
      .publish(cancelChannel(redisKeyPrefix), id);
  await requests.exec();
  const removed: string[] = [];
  for (const id of queueJobIds) {
    const job = await queue.getJob(id);
    // A job a worker holds cannot be removed (BullMQ refuses); its daemon stops it.
    const gone =
      !job ||
      (await job.remove().then(
        () => true,
        () => false,
      ));
    if (gone) removed.push(id);
  }
  return removed;
}
