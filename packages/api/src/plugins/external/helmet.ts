import fastifyHelmet from '@fastify/helmet';
import fp from 'fastify-plugin';
import type { AppOptions } from '../../app';

/**
 * Security headers on every reply. The CSP fits the standalone page (the panel's module script and
 * its API, all from here) and the API docs; Lit and D3 set style attributes, hence inline styles.
 * No page of Glint may be framed: Horizon embeds the panel's bundle, not a page. The bundle says
 * itself that other origins may load it (routes/panel). HSTS only when Glint serves TLS itself;
 * behind the documented nginx front, nginx sends it.
 */
export default fp<AppOptions>(
  async (fastify, opts) => {
    await fastify.register(fastifyHelmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: opts.config.tls ? { maxAge: 63_072_000 } : false,
    });
  },
  { name: 'helmet' },
);
