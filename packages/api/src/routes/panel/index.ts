import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../../errors';

/**
 * The panel bundle, built by `npm run build -w @glint/panel`. The path is the same from src/ and
 * dist/ (both are three levels under packages/api), so it holds for ts-node and the built service.
 */
export const panelBundle = join(__dirname, '../../../../panel/dist/glint-panel.js');

/** For users without a dashboard: the panel alone, logging in with a cookie session. */
const standalonePage = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Glint</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml">
    <script type="module" src="/panel/glint-panel.js"></script>
    <style>body { margin: 0; font-family: system-ui, sans-serif; background: #f6f7f9; }</style>
  </head>
  <body>
    <main><glint-panel api-base=""></glint-panel></main>
  </body>
</html>
`;

/** The matrix in small: images by sites, some cells held. */
const favicon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">
  <rect width="16" height="16" rx="3" fill="#1d4ed8"/>
  <g fill="#fff">
    <rect x="3" y="3" width="4" height="4" rx="1"/><rect x="9" y="3" width="4" height="4" rx="1"/>
    <rect x="3" y="9" width="4" height="4" rx="1"/>
  </g>
  <rect x="9" y="9" width="4" height="4" rx="1" fill="none" stroke="#fff"/>
</svg>
`;

/** The standalone page at /, its icon and the bundle at /panel/glint-panel.js; public, like any static file. */
const panel: FastifyPluginAsync = async (fastify) => {
  fastify.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(standalonePage),
  );

  fastify.get('/favicon.svg', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'max-age=86400').send(favicon),
  );

  fastify.get('/panel/glint-panel.js', { schema: { hide: true } }, async (_request, reply) => {
    let bundle: Buffer;
    try {
      // Read on each request: a bundle rebuilt while the service runs is served at once.
      bundle = await readFile(panelBundle);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new ApiError(
        503,
        'panel_not_built',
        'the panel bundle is not built: run npm run build -w @glint/panel',
      );
    }
    return reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(bundle);
  });
};

export default panel;
