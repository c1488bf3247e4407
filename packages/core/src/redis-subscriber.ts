import type { Redis, RedisOptions } from 'ioredis';

/**
 * A Redis connection that only subscribes. From ioredis 5.8.2 a SUBSCRIBE queued while the
 * connection is being made can reach Redis before the ready check's INFO, which Redis then refuses
 * in subscriber mode: the connection fails, reconnects, and messages published meanwhile are lost
 * (redis/ioredis#2037, fixed in ioredis 6; Glint is on 5). A subscriber needs neither the ready
 * check nor the client-info handshake, so it does without both.
 */
export function subscriberConnection(url: string, options: RedisOptions = {}): Redis {
  // Loaded on first use, as BullMQ is (queues.ts): a process that only copies needs neither.
  const { Redis } = require('ioredis') as typeof import('ioredis');
  return new Redis(url, { ...options, enableReadyCheck: false, disableClientInfo: true });
}
