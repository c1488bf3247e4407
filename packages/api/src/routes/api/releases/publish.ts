import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import { FamilyParams, PublishBody, Version } from '../../../schemas/releases';

const tags = ['releases'];

/**
 * Publishing a family's next version, which members may do.
 */
const publish: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/:family/versions',
    {
      schema: {
        'x-glint-role': 'member',
        tags,
        summary: 'Publish an image as the family’s newest version; it rolls out in waves',
        description:
          'The image is a logical image Glint knows (upload or import it first). Its SCS-0102 provenance ' +
          '(image_build_date, image_original_user, image_source) and the family’s required properties are checked; ' +
          'a missing one is refused with release_properties_missing, naming each in details.missing.',
        params: FamilyParams,
        body: PublishBody,
        response: { 201: Version, ...errorReplies },
      },
    },
    async (request, reply) => {
      const caller = projectCallerOf(request);
      const published = await fastify.releases.publish(caller, request.params.family, request.body);
      const details = await fastify.releases.details(caller.ownerId, request.params.family);
      return reply.code(201).send(details.versions.find((v) => v.id === published.id)!);
    },
  );
};

export default publish;
