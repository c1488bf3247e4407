import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import {
  ChannelBody,
  FamilyDetails,
  FamilyParams,
  HaltBody,
  PromoteBody,
} from '../../../schemas/releases';

const tags = ['releases'];

/**
 * Moving a family's rollout, which members may do: promote, roll back, halt, resume, next wave.
 */
const rollout: FastifyPluginAsyncTypebox = async (fastify) => {
  const memberChange = (summary: string) => ({
    'x-glint-role': 'member' as const,
    tags,
    summary,
    params: FamilyParams,
    response: { 200: FamilyDetails, ...errorReplies },
  });

  fastify.post(
    '/:family/promote',
    {
      schema: {
        ...memberChange(
          'Point a channel (the one the stable name follows, by default) at a version',
        ),
        body: PromoteBody,
      },
    },
    async (request) =>
      fastify.releases.promote(
        projectCallerOf(request),
        request.params.family,
        request.body.version,
        request.body.channel,
      ),
  );

  fastify.post(
    '/:family/rollback',
    {
      schema: {
        ...memberChange(
          'Point a channel back at its previous version: names swap back on every site, no byte copied',
        ),
        body: ChannelBody,
      },
    },
    async (request) =>
      fastify.releases.rollback(
        projectCallerOf(request),
        request.params.family,
        request.body.channel,
      ),
  );

  fastify.post(
    '/:family/halt',
    {
      schema: {
        ...memberChange('Stop the rollout where it is; no site switches until resumed'),
        body: HaltBody,
      },
    },
    async (request) =>
      fastify.releases.control(
        projectCallerOf(request),
        request.params.family,
        'halt',
        request.body.reason,
      ),
  );

  fastify.post(
    '/:family/resume',
    { schema: memberChange('Resume a halted rollout; copies that failed are tried again') },
    async (request) =>
      fastify.releases.control(projectCallerOf(request), request.params.family, 'resume'),
  );

  fastify.post(
    '/:family/waves/next',
    { schema: memberChange('Let the next wave start (families whose waves wait for a person)') },
    async (request) =>
      fastify.releases.control(projectCallerOf(request), request.params.family, 'next-wave'),
  );
};

export default rollout;
