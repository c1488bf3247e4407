import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import type { AppOptions } from '../../app';
import type { Config } from '../../config';
import { ApiError } from '../../errors';

/**
 * Failed logins counted in Redis, per user name and per client address, so that guessing passwords
 * through Glint is slow whichever API instance is asked. Each count starts with its first failure
 * and lasts the window; at its limit, logins of that name, or from that address, are refused with
 * 429 and Retry-After until the window ends. Only failures count: a user who logs in once a
 * minute is never held up.
 */
export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly limits: Config['loginFailures'],
  ) {}

  /** Refuses the login (429, with Retry-After on `reply`) while the name or the address is at its limit. */
  async check(reply: FastifyReply, name: string, address: string): Promise<void> {
    const keys = this.keys(name, address);
    const [user, from] = (await this.redis.mget(keys.user, keys.address)).map(Number);
    const blocked =
      user! >= this.limits.perUser
        ? { key: keys.user, what: 'this user name' }
        : from! >= this.limits.perAddress
          ? { key: keys.address, what: 'your address' }
          : undefined;
    if (!blocked) return;
    const seconds = Math.max(1, Math.ceil((await this.redis.pttl(blocked.key)) / 1000));
    reply.header('retry-after', String(seconds));
    throw new ApiError(
      429,
      'too_many_failed_logins',
      `too many failed logins for ${blocked.what}: try again in ${seconds} s`,
      { retryAfterSeconds: seconds },
    );
  }

  async failed(name: string, address: string): Promise<void> {
    const windowMs = this.limits.windowSeconds * 1000;
    const transaction = this.redis.multi();
    // SET NX starts the window at the first failure; INCR keeps the key's expiry.
    for (const key of Object.values(this.keys(name, address)))
      transaction.set(key, 0, 'PX', windowMs, 'NX').incr(key);
    await transaction.exec();
  }

  /** A login that succeeds clears its name's failures (not its address's: others may share it). */
  async succeeded(name: string, address: string): Promise<void> {
    await this.redis.del(this.keys(name, address).user);
  }

  private keys(name: string, address: string): { user: string; address: string } {
    const digest = (text: string) => createHash('sha256').update(text).digest('hex');
    return {
      user: `login-failures:user:${digest(name.toLowerCase())}`,
      address: `login-failures:address:${digest(address)}`,
    };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    loginThrottle: LoginThrottle;
  }
}

export default fp<AppOptions>(
  async (fastify, opts) => {
    fastify.decorate('loginThrottle', new LoginThrottle(fastify.redis, opts.config.loginFailures));
  },
  { name: 'login-throttle', dependencies: ['redis'] },
);
