import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import { Site, SiteParams, UpdateSiteBody } from '../../../schemas/sites';
import { loginChecked, siteTags } from '../../../site-route-docs';

/** One site: read, changed, removed. */
const siteItem: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/:id',
    {
      schema: {
        'x-glint-role': 'reader',
        tags: siteTags,
        summary: 'One of your project’s sites',
        params: SiteParams,
        response: { 200: Site, ...errorReplies },
      },
    },
    async (request) => fastify.sites.get(projectCallerOf(request), request.params.id),
  );

  fastify.patch(
    '/:id',
    {
      schema: {
        'x-glint-role': 'admin',
        tags: siteTags,
        summary: 'Rename a site, or replace its settings or credential',
        description: `config replaces the settings whole. A new config or credential is checked as on creation. ${loginChecked}`,
        params: SiteParams,
        body: UpdateSiteBody,
        response: { 200: Site, ...errorReplies },
      },
    },
    async (request) =>
      fastify.sites.update(projectCallerOf(request), request.params.id, request.body),
  );

  fastify.delete(
    '/:id',
    {
      schema: {
        'x-glint-role': 'admin',
        tags: siteTags,
        summary: 'Remove a site, with its credential, inventory and desired state',
        params: SiteParams,
        response: { 204: Type.Null(), ...errorReplies },
      },
    },
    async (request, reply) => {
      await fastify.sites.remove(projectCallerOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};

export default siteItem;
