import type { Redis } from 'ioredis';
import type { TransferStage } from './jobs';
import type { ReleaseEvent } from './releases';
/**
 * Change events for clients (the API's Server-Sent Events stream), published on Redis pub/sub by
 * whoever changes something: the API when it queues or cancels jobs, the daemon when a job moves or
 * an inventory lands. Each user has a channel of their own, so a subscriber to one user's channel
 * can never see another user's events.
 */
export type GlintEvent =
  | {
      type: 'job';
      queueJobId: string;
      operation: string;
      state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
      imageId: string | null;
      siteIds: string[];
      bytes?: number;
      bytesPerSecond?: number;
      /** Seconds left at the current rate; null while unknown. */
      etaSeconds?: number | null;
      /** The destination's own stage (an EC2 import task or copy), and how far it is. */
      stage?: TransferStage;
      percent?: number;
      error?: string;
    }
  | {
      /** Cells of these sites (and images, when known) may look different now: read the matrix again. */
      type: 'cells';
      siteIds: string[];
      imageIds?: string[];
    }
  /** A release changed: published, a wave started, a site switched names, a rollout halted, ... */
  | ReleaseEvent;

/** The pub/sub channel of one user's events, under Glint's Redis prefix. */
export function eventChannel(redisKeyPrefix: string, ownerId: string): string {
  return `${redisKeyPrefix}events:${ownerId}`;
}

/** Publishes users' change events for the API's streams. */
export type PublishEvents = (ownerId: string, events: GlintEvent[]) => Promise<void>;

/** Publishing on `redis` (a connection without ioredis's keyPrefix) under Glint's Redis prefix. */
export function redisEventPublisher(redis: Redis, redisKeyPrefix: string): PublishEvents {
  return async (ownerId, events) => {
    const channel = eventChannel(redisKeyPrefix, ownerId);
    await Promise.all(events.map((event) => redis.publish(channel, JSON.stringify(event))));
  };
}
