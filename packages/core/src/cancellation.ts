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
