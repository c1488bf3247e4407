import { eventChannel, type GlintEvent } from '@glint/core';
import type { Redis } from 'ioredis';

/** Publishes users' change events for the API's streams. */
export type PublishEvents = (ownerId: string, events: GlintEvent[]) => Promise<void>;

/** Publishing on `redis` (a connection without ioredis's keyPrefix) under Glint's Redis prefix. */
export function redisEventPublisher(redis: Redis, redisKeyPrefix: string): PublishEvents {
  return async (ownerId, events) => {
    const channel = eventChannel(redisKeyPrefix, ownerId);
    await Promise.all(events.map((event) => redis.publish(channel, JSON.stringify(event))));
  };
}
