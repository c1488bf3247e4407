import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AppOptions } from '../../app';
import { ApiError } from '../../errors';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a browser's `Origin` names this API itself. Scheme aside, since behind a TLS front the
 * API may not know it was reached over https; a Host without a port (nginx's `$host`) matches
 * whatever port the browser used.
 */
function isOwnOrigin(origin: URL, request: FastifyRequest): boolean {
  const host = request.host.toLowerCase();
  return origin.host === host || (!host.includes(':') && origin.hostname === host);
}

/**
 * Browsers say which page a request comes from in `Origin`, on every request that changes state.
 * Such a request is taken only from the panel's own page or a dashboard in GLINT_CORS_ORIGINS, so
 * another site's page cannot log a visitor in (login CSRF) or act with their session. Requests
 * without `Origin` (the CLI, scripts) come from no page and pass; the session's CSRF token and
 * SameSite cookies still guard those that carry a cookie.
 */
export default fp<AppOptions>(
  async (fastify, opts) => {
    const allowed = new Set(opts.config.corsOrigins);
    fastify.addHook('onRequest', async (request) => {
      const origin = request.headers.origin;
      if (safeMethods.has(request.method) || origin === undefined) return;
      let url: URL | undefined;
      try {
        url = new URL(origin);
      } catch {
        // "null" (a sandboxed frame, a file) or garbage: from no page this API trusts.
      }
      if (url && (allowed.has(url.origin) || isOwnOrigin(url, request))) return;
      throw new ApiError(
        403,
        'origin_not_allowed',
        `a page at ${origin} may not change anything here: only the panel's own page and the dashboards in GLINT_CORS_ORIGINS may`,
      );
    });
  },
  { name: 'request-origin' },
);
