import fastifyCors from '@fastify/cors';
import fp from 'fastify-plugin';
import type { AppOptions } from '../../app';

/**
 * Cross-origin access for the dashboards that embed the panel (Horizon serves its pages from
 * another origin): the panel bundle, and API calls that carry the user's Keystone token. Cookies
 * are never sent cross-origin, so only token-authenticated calls work from there. No origin is
 * allowed unless GLINT_CORS_ORIGINS names it.
 */
export default fp<AppOptions>(
  async (fastify, opts) => {
    const origins = opts.config.corsOrigins;
    if (origins.length === 0) return;
    await fastify.register(fastifyCors, {
      origin: origins,
      credentials: false,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['X-Auth-Token', 'Authorization', 'Content-Type'],
      maxAge: 600,
    });
  },
  { name: 'cors' },
);
