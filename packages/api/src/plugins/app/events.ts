import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import {
  eventChannel,
  redisEventPublisher,
  subscriberConnection,
  type GlintEvent,
  type PublishEvents,
} from '@glint/core';
import { Redis } from 'ioredis';
import type { AppOptions } from '../../app';

type Listener = (event: GlintEvent) => void;

/**
 * Users' change events over Redis pub/sub. One subscriber connection per process, subscribed to
 * the channels of the projects with an open stream here; a listener only ever hears its own project's.
 */
export class EventBus {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
  ) {
    this.publish = redisEventPublisher(publisher, prefix);
    subscriber.on('message', (channel: string, message: string) => {
      const ownerId = channel.slice(eventChannel(prefix, '').length);
      let event: GlintEvent;
      try {
        event = JSON.parse(message) as GlintEvent;
      } catch {
        return;
      }
      for (const listener of this.listeners.get(ownerId) ?? []) listener(event);
    });
  }

  readonly publish: PublishEvents;

  /** Calls `listener` with each of the project's events until the returned function is called. */
  async listen(ownerId: string, listener: Listener): Promise<() => Promise<void>> {
    let set = this.listeners.get(ownerId);
    if (!set) {
      set = new Set();
      this.listeners.set(ownerId, set);
      await this.subscriber.subscribe(eventChannel(this.prefix, ownerId));
    }
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(ownerId) === set) {
        this.listeners.delete(ownerId);
        await this.subscriber.unsubscribe(eventChannel(this.prefix, ownerId));
      }
    };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    events: EventBus;
  }
}

export default fp<AppOptions>(
  async (fastify: FastifyInstance, opts) => {
    const { url, keyPrefix } = opts.config.redis;
    // Channels are not keys, so ioredis's keyPrefix would not apply: the prefix is in the name.
    const publisher = new Redis(url);
    const subscriber = subscriberConnection(url);
    for (const connection of [publisher, subscriber])
      connection.on('error', (error) =>
        fastify.log.error({ err: error }, 'Redis connection failed'),
      );
    fastify.decorate('events', new EventBus(publisher, subscriber, keyPrefix));
    fastify.addHook('onClose', async () => {
      await Promise.all([publisher.quit(), subscriber.quit()]);
    });
  },
  { name: 'events' },
);
