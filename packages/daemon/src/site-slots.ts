import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Takes a slot on every key, or none: each key is a sorted set of leases scored by when they
 * lapse, on Redis's clock so that daemons on machines whose clocks differ agree.
 * KEYS: the sites' slot sets. ARGV: lease id, lease milliseconds, then each key's limit.
 */
const acquireScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) >= tonumber(ARGV[2 + i]) then return 0 end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + ms, ARGV[1])
  redis.call('PEXPIRE', key, ms * 2)
end
return 1`;

/** Pushes the lease's lapse on, where it is still held. KEYS: slot sets. ARGV: lease id, ms. */
const renewScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[2])
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', now + ms, ARGV[1])
  redis.call('PEXPIRE', key, ms * 2)
end
return 1`;

/** Slots held on some sites until released; kept alive while the holder runs. */
export interface SiteLease {
  release(): Promise<void>;
}

/**
 * The per-site limit on concurrent transfers, shared by every daemon on the same Redis: a site
 * takes part in at most `limit` transfers at once, as source or destination. A lease is renewed
 * while its job runs and lapses `leaseMs` after a daemon dies, so a crash frees its slots.
 */
export class SiteSlots {
  constructor(
    private readonly redis: Redis,
    /** Glint's Redis key prefix. */
    private readonly keyPrefix: string,
    private readonly limit: number,
    private readonly leaseMs: number,
  ) {}

  /** A slot on each of the sites, or null when any of them is at its limit. */
  async acquire(siteIds: string[]): Promise<SiteLease | null> {
    const keys = [...new Set(siteIds)].map((siteId) => `${this.keyPrefix}site-slots:${siteId}`);
    const id = randomUUID();
    const limits = keys.map(() => String(this.limit));
    const taken = await this.redis.eval(
      acquireScript,
      keys.length,
      ...keys,
      id,
      String(this.leaseMs),
      ...limits,
    );
    if (taken !== 1) return null;
    const renew = setInterval(
      () => {
        // A renewal lost to a short outage is made up by the next one; the lease lasts three.
        this.redis
          .eval(renewScript, keys.length, ...keys, id, String(this.leaseMs))
          .catch(() => undefined);
      },
      Math.max(1000, Math.floor(this.leaseMs / 3)),
    );
    renew.unref();
    return {
      release: async () => {
        clearInterval(renew);
        await Promise.all(keys.map((key) => this.redis.zrem(key, id)));
      },
    };
  }
}
