import { createHash } from 'node:crypto';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import type { Caller } from '../../caller';

/**
 * Callers in Redis under a secret that identifies them: a session id or a Keystone token. Keys are
 * the secret's SHA-256, so whoever can read Redis learns no session id or token.
 */
export class CallerStore {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
  ) {}

  async get(secret: string): Promise<Caller | undefined> {
    const text = await this.redis.get(this.key(secret));
    return text ? (JSON.parse(text) as Caller) : undefined;
  }

  /** Keeps the caller for `ttlMs`, after which Redis forgets it; nothing is kept for a non-positive ttl. */
  async put(secret: string, caller: Caller, ttlMs: number): Promise<void> {
    if (ttlMs < 1) return;
    await this.redis.set(this.key(secret), JSON.stringify(caller), 'PX', Math.floor(ttlMs));
  }

  async delete(secret: string): Promise<void> {
    await this.redis.del(this.key(secret));
  }

  private key(secret: string): string {
    return `${this.namespace}:${createHash('sha256').update(secret).digest('hex')}`;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Cookie sessions by session id. */
    sessions: CallerStore;
    /** Keystone tokens already validated, by token. */
    validatedTokens: CallerStore;
  }
}

export default fp(
  async (fastify) => {
    fastify.decorate('sessions', new CallerStore(fastify.redis, 'session'));
    fastify.decorate('validatedTokens', new CallerStore(fastify.redis, 'token'));
  },
  { name: 'caller-store', dependencies: ['redis'] },
);
