import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { notFound } from '../../../errors';
import { errorReplies } from '../../../schemas/errors';
import { Family, FamilyChanges, FamilyDetails, FamilyParams } from '../../../schemas/releases';

const tags = ['releases'];

/**
 * One release family: readers see its versions' states, admins change or forget its policies.
 */
const family: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/:family',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary: 'A family: its channels, waves, and each version’s state on each site',
        params: FamilyParams,
        response: { 200: FamilyDetails, ...errorReplies },
      },
    },
    async (request) =>
      fastify.releases.details(projectCallerOf(request).ownerId, request.params.family),
  );

  fastify.patch(
    '/:family',
    {
      schema: {
        'x-glint-role': 'admin',
        tags,
        summary: 'Change a family’s policies; what the body leaves out stays',
        params: FamilyParams,
        body: FamilyChanges,
        response: { 200: Family, ...errorReplies },
      },
    },
    async (request) => {
      const { ownerId } = projectCallerOf(request);
      const family = await fastify.repositories.releases.family(ownerId, request.params.family);
      if (!family) throw notFound('release_family', request.params.family);
      return (await fastify.repositories.releases.updateFamily(ownerId, family.id, request.body))!;
    },
  );

  fastify.delete(
    '/:family',
    {
      schema: {
        'x-glint-role': 'admin',
        tags,
        summary: 'Forget a family and its versions; the images stay on the sites as they are',
        params: FamilyParams,
        response: { 204: Type.Null(), ...errorReplies },
      },
    },
    async (request, reply) => {
      const { ownerId } = projectCallerOf(request);
      const family = await fastify.repositories.releases.family(ownerId, request.params.family);
      if (!family || !(await fastify.repositories.releases.removeFamily(ownerId, family.id)))
        throw notFound('release_family', request.params.family);
      return reply.code(204).send(null);
    },
  );
};

export default family;
