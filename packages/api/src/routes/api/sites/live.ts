import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import { RefreshesQueued, RefreshQueued, SiteHealth, SiteParams } from '../../../schemas/sites';
import { siteTags } from '../../../site-route-docs';

/** Work on the sites' clouds: a health check now, and inventories queued. */
const siteLiveWork: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/:id/health',
    {
      schema: {
        'x-glint-role': 'reader',
        tags: siteTags,
        summary: 'Check now that the site answers with its stored credential',
        params: SiteParams,
        response: { 200: SiteHealth, ...errorReplies },
      },
    },
    async (request) => ({
      ...(await fastify.sites.health(projectCallerOf(request), request.params.id)),
      checkedAt: new Date().toISOString(),
    }),
  );

  fastify.post(
    '/:id/refresh',
    {
      schema: {
        'x-glint-role': 'member',
        tags: siteTags,
        summary: 'Queue an inventory of the site',
        description: 'While one waits or runs, another request queues nothing more.',
        params: SiteParams,
        response: { 202: RefreshQueued, ...errorReplies },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(await fastify.inventory.refresh(projectCallerOf(request), request.params.id)),
  );

  fastify.post(
    '/refresh',
    {
      schema: {
        'x-glint-role': 'member',
        tags: siteTags,
        summary: 'Queue an inventory of each of your sites',
        response: { 202: RefreshesQueued, ...errorReplies },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send({ queued: await fastify.inventory.refreshAll(projectCallerOf(request)) }),
  );
};

export default siteLiveWork;
