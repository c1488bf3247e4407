import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import { PlanBody, PlanReply, planBodyLimit } from '../../../schemas/placements';
import { planReply } from '../../../plan-reply';

const planRoute: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/',
    {
      bodyLimit: planBodyLimit,
      schema: {
        'x-glint-role': 'reader',
        tags: ['desired state'],
        summary: 'The jobs a change of the desired state would run; changes nothing',
        body: PlanBody,
        response: { 200: PlanReply, ...errorReplies },
      },
    },
    async (request) =>
      planReply(await fastify.placements.plan(projectCallerOf(request), request.body)),
  );
};

export default planRoute;
