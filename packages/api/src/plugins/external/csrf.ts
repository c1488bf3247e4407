import { hkdfSync } from 'node:crypto';
import fastifyCsrfProtection from '@fastify/csrf-protection';
import fp from 'fastify-plugin';
import type { AppOptions } from '../../app';

/**
 * Double-submit CSRF tokens for cookie sessions: a random secret in an httpOnly cookie, and tokens
 * derived from it and bound (by HMAC) to the session id, sent back in the X-CSRF-Token header.
 * A token stolen from one session is useless in another; requests with a Keystone token need none.
 */
export default fp<AppOptions>(
  async (fastify, opts) => {
    const { secret, secureCookie } = opts.config.session;
    await fastify.register(fastifyCsrfProtection, {
      cookieKey: 'glint_csrf',
      cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: secureCookie },
      getToken: (request) => request.headers['x-csrf-token'] as string | undefined,
      getUserInfo: (request) => (request.auth?.method === 'session' ? request.auth.sessionId : ''),
      // Its own key, derived, so the session secret is never used directly for two purposes.
      csrfOpts: { hmacKey: Buffer.from(hkdfSync('sha256', secret, '', 'glint csrf tokens', 32)) },
    });
  },
  { name: 'csrf', dependencies: ['cookie'] },
);
