import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import { ApplyReply, PlanBody, planBodyLimit } from '../../../schemas/placements';
import { planReply } from '../../../plan-reply';

const placements: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.put(
    '/',
    {
      bodyLimit: planBodyLimit,
      schema: {
        'x-glint-role': 'member',
        tags: ['desired state'],
        summary: 'Record a change of the desired state and enqueue its jobs',
        description:
          'One transaction records the placements and the jobs; the jobs are enqueued after it commits. ' +
          'Cells with a job under way get no second one, so saving twice enqueues nothing twice.',
        body: PlanBody,
        response: { 200: ApplyReply, ...errorReplies },
      },
    },
    async (request) =>
      planReply(await fastify.placements.apply(projectCallerOf(request), request.body)),
  );
};

export default placements;
