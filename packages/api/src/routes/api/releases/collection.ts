import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import { Families, Family, FamilyBody } from '../../../schemas/releases';

const tags = ['releases'];

/**
 * The project's release families: readers list them, admins make one (as OpenStack splits it).
 */
const families: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary: 'The project’s release families',
        response: { 200: Families, ...errorReplies },
      },
    },
    async (request) => ({
      families: await fastify.repositories.releases.families(projectCallerOf(request).ownerId),
    }),
  );

  fastify.post(
    '/',
    {
      schema: {
        'x-glint-role': 'admin',
        tags,
        summary: 'Make a release family: its stable name, target sites, waves and retention',
        body: FamilyBody,
        response: { 201: Family, ...errorReplies },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await fastify.releases.createFamily(projectCallerOf(request), request.body)),
  );
};

export default families;
