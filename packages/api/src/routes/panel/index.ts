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
    <script type="module" src="/panel/glint-panel.js"></script>
    <style>body { margin: 0; font-family: system-ui, sans-serif; background: #f6f7f9; }</style>
  </head>
  <body>
    <glint-panel api-base=""></glint-panel>
  </body>
</html>
`;

/** The standalone page at / and the bundle at /panel/glint-panel.js; both public, like any static file. */
const panel: FastifyPluginAsync = async (fastify) => {
  fastify.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(standalonePage),
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
    return (
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'no-cache')
        // Dashboards on other origins (Horizon) load it as a module script.
        .header('cross-origin-resource-policy', 'cross-origin')
        .send(bundle)
    );
  });
};

export default panel;
